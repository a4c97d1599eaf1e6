// The two kinds of sending side behind a typed reference (see send_port).
#include "core/detail/actor_context.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/system_base.hpp"

namespace thespis::detail {

void send_port::post(const destination& to, envelope* env) const {
  if (actor_ != nullptr) {
    actor_->post(to, env);
  } else {
    system_->post(to, env);
  }
}

message send_port::ask(const destination& to, envelope* env,
                       std::chrono::nanoseconds timeout) const {
  return actor_ != nullptr ? actor_->ask(to, env, timeout) : system_->ask(to, env, timeout);
}

std::uint64_t send_port::next_request() const noexcept {
  return actor_ != nullptr ? actor_->next_request() : system_->next_request();
}

void send_port::expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                             std::function<void(call_reply&)> resume) const {
  if (actor_ != nullptr) {
    actor_->expect_reply(request, timeout, std::move(resume));
  } else {
    system_->expect_reply(request, timeout, std::move(resume));
  }
}

}  // namespace thespis::detail
