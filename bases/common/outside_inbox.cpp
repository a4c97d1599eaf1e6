#include "bases/common/outside_inbox.hpp"

#include "core/system_messages.hpp"

namespace thespis::detail {

bool reaches_outside(const envelope& env) noexcept {
  const std::type_info& t = env.type();
  return t != typeid(child_actor_exited) && t != typeid(dead_envelope) &&
         t != typeid(actor_exit_request) && t != typeid(wakeup_message);
}

void outside_inbox::deliver(envelope* env) noexcept {
  if (!reaches_outside(*env)) {
    reject_(env);
    return;
  }
  std::lock_guard lock(mutex_);
  queue_.push_back(env);
  arrived_.notify_one();
}

message outside_inbox::take(std::chrono::nanoseconds timeout) noexcept {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [this] { return !queue_.empty() || stopped_; });
  if (queue_.empty()) return message{};
  envelope* env = queue_.front();
  queue_.pop_front();
  return message(env);
}

void outside_inbox::stop_waiting() noexcept {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  arrived_.notify_all();
}

void outside_inbox::clear() noexcept {
  std::deque<envelope*> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(queue_);
  }
  for (envelope* env : dropped)
    destroy_envelope(env);
}

}  // namespace thespis::detail
