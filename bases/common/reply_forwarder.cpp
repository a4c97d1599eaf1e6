#include "bases/common/reply_forwarder.hpp"

#include <exception>
#include <string>

#include "bases/common/runtime.hpp"
#include "core/detail/envelope.hpp"
#include "core/detail/method_call.hpp"
#include "core/errors.hpp"

namespace thespis::detail {

void reply_forwarder::deliver(envelope* env) noexcept {
  if (env->system()) {
    // Not an answer: the system's own messages to the sender (a watch of the caller, an exit or
    // status request) are for the asking actor, for which this address stands.
    runtime_.deliver_or_dead_letter(asker_, env);
    return;
  }
  if (answered_.exchange(true, std::memory_order_relaxed)) {
    runtime_.dead_letter(env, address_access::make(intrusive_ptr<address_target>::share(this)));
    return;
  }
  // request<thespis::message> takes any answer.
  if (env->type() == expected_ || expected_ == typeid(message)) {
    return answer(env, nullptr, false);
  }
  std::exception_ptr error;
  try {
    message(env).throw_bad_cast(expected_);  // the reply is destroyed with the temporary
  } catch (...) {
    error = std::current_exception();
  }
  answer(nullptr, std::move(error), false);
}

void reply_forwarder::sent_message_dead() noexcept {
  no_answer(" became a dead letter: no live actor took it");
}

void reply_forwarder::sent_message_unhandled() noexcept {
  no_answer(" was dropped unhandled: its receiver has no handler for its type");
}

void reply_forwarder::no_answer(const char* why) noexcept {
  if (answered_.exchange(true, std::memory_order_relaxed)) return;
  std::exception_ptr error;
  try {
    throw invalid_actor_address("request " + std::to_string(request_) + why);
  } catch (...) {
    error = std::current_exception();
  }
  answer(nullptr, std::move(error), true);
}

void reply_forwarder::answer(envelope* value, std::exception_ptr error, bool from_system) noexcept {
  envelope* reply = nullptr;
  try {
    reply = new envelope_of<call_reply>(
        address{}, call_reply{request_, message(value), std::move(error), from_system});
  } catch (...) {
    // Out of memory: the asker's timeout answers instead, and the reply is counted undelivered.
    if (value != nullptr) runtime_.dead_letter(value, asker_);
    return;
  }
  runtime_.deliver_or_dead_letter(asker_, reply);
}

}  // namespace thespis::detail
