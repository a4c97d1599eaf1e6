// The simple base: synchronous and deterministic, like Thespian's simpleSystemBase. Every outside
// call (create, tell, ask, shutdown) runs everything it caused on the caller's thread, in FIFO
// order, until the system is quiet, then returns. For unit-testing actors.
#pragma once

#include "bases/common/actor_cell.hpp"
#include "bases/common/runtime.hpp"
#include "scheduler/inline_scheduler.hpp"
#include "scheduler/timer_service.hpp"

namespace thespis::detail {

/// Runs all actors on the thread that calls into the system. Not thread-safe: drive it from
/// one thread.
class simple_base final : public runtime {
 public:
  explicit simple_base(system_config config) : runtime(std::move(config)) {}
  ~simple_base() override { (void)shutdown(); }

  void schedule(actor_cell& cell) noexcept override { scheduler_.schedule(cell); }
  timer_service& timers() noexcept override { return timers_; }
  void advance_time(std::chrono::nanoseconds delay) override;

 protected:
  void settle() noexcept override { scheduler_.drain(); }
  bool in_activation() const noexcept override { return scheduler_.running_here(); }
  // Everything the ask caused has run: a reply either came or never will.
  asked await_reply(reply_slot& slot, std::chrono::nanoseconds) noexcept override;
  void stop(bool) noexcept override { scheduler_.drain(); }
  bool outside_tells_wait() const noexcept override { return false; }
  std::chrono::nanoseconds listen_wait(std::chrono::nanoseconds) const noexcept override {
    return std::chrono::nanoseconds{0};
  }

 private:
  inline_scheduler scheduler_{actor_cell::activate};
  manual_timer_service timers_;  // virtual time: moves only in advance_time()
};

}  // namespace thespis::detail
