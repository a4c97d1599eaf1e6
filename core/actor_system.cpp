#include "core/actor_system.hpp"

#include "core/detail/type_name.hpp"

namespace thespis {

actor_system::actor_system() : actor_system(system_config{}) {}

actor_system::actor_system(system_config config)
    : base_(detail::make_system_base(std::move(config))) {}

actor_system::~actor_system() {
  // An actor still stuck in a handler after the shutdown deadline will touch the base when it
  // returns: the base must outlive it, so disposal may finish in the background.
  (void)base_->shutdown();
  detail::dispose_system_base(std::move(base_));
}

std::size_t actor_system::abandoned_system_count() noexcept {
  return detail::abandoned_system_count();
}

address actor_system::create_actor(std::string_view type_name) {
  return base_->spawn(detail::make_registered_factory(type_name));
}

// Worded for a log line or an exception's what(): what was asked of whom, and why no reply.
std::string actor_system::describe_no_reply(const std::type_info& asked, const address& to,
                                            ask_failure failure, std::chrono::nanoseconds timeout) {
  return "ask of " + detail::type_name(asked) + " at " + to.to_string() + ": " +
         detail::no_reply_reason(failure, timeout);
}

std::string detail::timeout_text(std::chrono::nanoseconds timeout) {
  using namespace std::chrono;
  if (timeout % milliseconds(1) == nanoseconds::zero())
    return std::to_string(duration_cast<milliseconds>(timeout).count()) + " ms";
  if (timeout % microseconds(1) == nanoseconds::zero())
    return std::to_string(duration_cast<microseconds>(timeout).count()) + " us";
  return std::to_string(timeout.count()) + " ns";
}

std::string detail::no_reply_reason(ask_failure failure, std::chrono::nanoseconds waited) {
  switch (failure) {
    case ask_failure::timed_out:
      return "no reply within " + timeout_text(waited);
    case ask_failure::dead_letter:
      return "a dead letter: no live actor took it";
    case ask_failure::unhandled:
      return "dropped unhandled: the actor has no handler for that type (handlers match exact "
             "types)";
    case ask_failure::shut_down:
      return "the system shut down before a reply came";
  }
  return to_string(failure);
}

}  // namespace thespis
