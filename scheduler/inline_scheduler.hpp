// Runs runnables one at a time, in FIFO order, on the thread that drains it: the deterministic
// heart of the simple base.
#pragma once

#include <deque>

#include "scheduler/scheduler.hpp"

namespace thespis {

/// A FIFO run queue drained on the caller's thread. Not thread-safe: one thread drives it.
class inline_scheduler final : public scheduler {
 public:
  /// A scheduler whose activations call `run`.
  explicit inline_scheduler(runnable::run_function run) noexcept : run_(run) {}
  ~inline_scheduler() override;

  void schedule(runnable& r) noexcept override;

  /// Runs queued runnables in FIFO order (a yielded one goes to the back) until none is left.
  /// A nested call from inside a runnable returns at once: the outer call finishes the work.
  void drain() noexcept override;

  /// True while drain() runs: on the one thread that drives this scheduler, only activations
  /// run then.
  bool running_here() const noexcept override { return draining_; }

  /// Returns true if nothing is queued.
  bool quiet() const noexcept { return ready_.empty(); }

 private:
  runnable::run_function run_;
  std::deque<runnable*> ready_;
  bool draining_ = false;
};

}  // namespace thespis
