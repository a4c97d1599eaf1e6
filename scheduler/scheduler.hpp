// The small interface between the system bases and whatever runs ready actors.
#pragma once

#include "scheduler/runnable.hpp"

namespace thespis {

/// Runs runnables. Implementations: tbb_scheduler (work-stealing pool), inline_scheduler
/// (deterministic, on the caller's thread).
class scheduler {
 public:
  virtual ~scheduler() = default;

  /// Queues r to run. The caller keeps r alive until it reports `idle` (see runnable). Never
  /// throws.
  virtual void schedule(runnable& r) noexcept = 0;

  /// Waits for every queued and running activation to finish, then refuses nothing: later
  /// schedule() calls still run. Called by the owner, not from inside a runnable.
  virtual void drain() noexcept = 0;

  /// True if the calling thread is inside an activation this scheduler runs: a blocking wait
  /// there may hold up the very runnables queued behind it.
  virtual bool running_here() const noexcept = 0;
};

}  // namespace thespis
