// The threaded base (the default): actors run on a oneTBB work-stealing pool.
#pragma once

#include <memory>

#include "bases/common/runtime.hpp"
#include "scheduler/tbb_scheduler.hpp"

namespace thespis::detail {

/// Runs actors on `config.workers` pool threads (one per hardware thread if 0). Thread-safe.
class threaded_base final : public runtime {
 public:
  explicit threaded_base(system_config config);
  ~threaded_base() override;

  void schedule(actor_cell& cell) noexcept override { scheduler_->schedule(cell); }

 protected:
  void settle() noexcept override {}
  message await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept override;
  void stop(bool clean) noexcept override;

 private:
  std::unique_ptr<tbb_scheduler> scheduler_;
};

}  // namespace thespis::detail
