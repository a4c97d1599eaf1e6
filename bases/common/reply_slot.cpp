#include "bases/common/reply_slot.hpp"

#include "bases/common/outside_inbox.hpp"

namespace thespis::detail {

reply_slot::~reply_slot() {
  delete reply_;
}

void reply_slot::deliver(envelope* env) noexcept {
  if (reaches_outside(*env)) {
    std::lock_guard lock(mutex_);
    if (!closed_ && !reply_) {
      reply_ = env;
      arrived_.notify_one();
      return;
    }
  }
  reject_(env);  // a second reply, or one that came too late: nothing vanishes silently
}

message reply_slot::take() noexcept {
  std::lock_guard lock(mutex_);
  closed_ = true;
  return message(std::exchange(reply_, nullptr));
}

message reply_slot::wait_for(std::chrono::nanoseconds timeout) noexcept {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [this] { return reply_ != nullptr; });
  closed_ = true;
  return message(std::exchange(reply_, nullptr));
}

}  // namespace thespis::detail
