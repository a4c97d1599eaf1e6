#include "bases/simple/simple_base.hpp"

#include "bases/common/reply_slot.hpp"

namespace thespis::detail {

// Fires due wakeups one deadline at a time, running the system to quiet after each, so what a
// wakeup causes happens before a later wakeup fires.
void simple_base::advance_time(std::chrono::nanoseconds delay) {
  settle();
  const auto target =
      timers_.deadline_after(std::chrono::duration_cast<timer_service::duration>(delay));
  while (auto next = timers_.next_deadline()) {
    if (*next > target) break;
    timers_.advance_to(*next);
    settle();
  }
  timers_.advance_to(target);
  settle();
}

asked simple_base::await_reply(reply_slot& slot, std::chrono::nanoseconds) noexcept {
  return slot.take();
}

}  // namespace thespis::detail
