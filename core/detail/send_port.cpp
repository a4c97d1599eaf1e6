// The two kinds of sending side behind a typed reference (see send_port).
#include <stdexcept>

#include "core/detail/actor_context.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/envelope.hpp"
#include "core/detail/system_base.hpp"

namespace thespis::detail {

namespace {
// A default-constructed actor_ref has no sending side: a clear error, not a crash.
[[noreturn]] void refuse_unbound(envelope* env) {
  if (env != nullptr) destroy_envelope(env);
  throw std::logic_error(
      "thespis::actor_ref: an empty (default-constructed) reference cannot send; get one from "
      "create_actor, ref<T>(address) or by_id<T>(id)");
}
}  // namespace

void send_port::post(const destination& to, envelope* env) const {
  if (actor_ != nullptr) {
    actor_->post(to, env);
  } else if (system_ != nullptr) {
    system_->post(to, env);
  } else {
    refuse_unbound(env);
  }
}

asked send_port::ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) const {
  if (actor_ == nullptr && system_ == nullptr) refuse_unbound(env);
  return actor_ != nullptr ? actor_->ask(to, env, timeout) : system_->ask(to, env, timeout);
}

std::uint64_t send_port::next_request() const noexcept {
  if (actor_ == nullptr && system_ == nullptr) return 0;  // the send that follows refuses
  return actor_ != nullptr ? actor_->next_request() : system_->next_request();
}

void send_port::require_actor_for_request() const {
  if (actor_ != nullptr) return;
  if (system_ == nullptr) refuse_unbound(nullptr);
  // The system never takes a request: its expect_reply throws, saying why (outside code asks;
  // an actor holding a reference the system made is told to make its own).
  system_->expect_reply(0, std::chrono::nanoseconds(0), {});
  throw std::logic_error("actor_ref::request is for actors");  // not reached
}

void send_port::expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                             std::function<void(call_reply&)> resume) const {
  if (actor_ != nullptr) {
    actor_->expect_reply(request, timeout, std::move(resume));
  } else if (system_ != nullptr) {
    system_->expect_reply(request, timeout, std::move(resume));
  } else {
    refuse_unbound(nullptr);
  }
}

}  // namespace thespis::detail
