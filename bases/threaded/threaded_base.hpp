// The threaded base (the default): actors run on a oneTBB work-stealing pool.
#pragma once

#include <memory>

#include "bases/common/runtime.hpp"
#include "scheduler/tbb_scheduler.hpp"
#include "scheduler/timer_service.hpp"

namespace thespis::detail {

/// Runs actors on `config.workers` pool threads (one per hardware thread if 0). Thread-safe.
class threaded_base final : public runtime {
 public:
  explicit threaded_base(system_config config);
  ~threaded_base() override;

  void schedule(actor_cell& cell) noexcept override { scheduler_->schedule(cell); }
  timer_service& timers() noexcept override { return timers_; }
  // Real time passes: the caller sleeps.
  void advance_time(std::chrono::nanoseconds delay) override;

 protected:
  void settle() noexcept override {}
  bool in_activation() const noexcept override { return scheduler_->running_here(); }
  asked await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept override;
  void stop(bool clean) noexcept override;

 private:
  std::unique_ptr<tbb_scheduler> scheduler_;
  // After the scheduler: destroyed first, so no timer fires into a stopped pool.
  real_time_timer_service timers_;
};

}  // namespace thespis::detail
