// The threaded base's scheduler: oneTBB's work-stealing pool, behind the scheduler interface so
// the pool can be replaced if its per-task cost ever dominates (see bench/ for that cost).
#pragma once

#include <memory>

#include "scheduler/scheduler.hpp"

namespace thespis {

/// Runs runnables on a oneTBB task_arena with `workers` worker threads.
///
/// Where a runnable goes when scheduled:
///  - from inside an activation on this pool: the first one into the worker's `next` slot, run
///    on the same thread as soon as the current activation ends (a message's receiver runs where
///    the message is hot in cache, and ping-pong costs no task at all); further ones into the
///    worker's local TBB deque, from which idle workers steal. The one in the `next` slot goes
///    to the deque too once the activation has pushed `release_after_pushes` messages to it
///    (see held_runnable.hpp): a producer's loop does not keep its consumer waiting;
///  - a runnable that spent its budget (yielded), or a chain that ran `chain_limit`
///    activations in one task, runs on at once if no other work of this pool waits (nothing
///    in the `next` slot, no task queued and not started, no outside schedule waiting): moving
///    it would only move its mailbox to another core. Otherwise it goes to the arena's shared
///    FIFO queue, so a busy runnable or chain cannot starve the others;
///  - from inside an activation, but within the user's own task_arena::execute or a parallel
///    algorithm its handler runs: into the `next` slot if free, else as from outside (a oneTBB
///    spawn there would land in the user's arena, where nothing may ever run it);
///  - from outside the pool: a drainer task (in that FIFO queue) when some worker has none,
///    else into a queue the running drainers empty a batch at a time — not one oneTBB task per
///    runnable while the pool is busy. A runnable a drainer ran may stay scheduled (see
///    detail::keep_open_offered()): it goes back into that queue, and no outside schedule is
///    needed for its next message.
/// Idle workers sleep in TBB; schedule() wakes them. Thread-safe.
class tbb_scheduler final : public scheduler {
 public:
  /// Starts a pool of `workers` threads (>= 1). `chain_limit` bounds how many activations run
  /// back to back through the `next` slot before the chain gives way to waiting work.
  /// A pool of `workers` threads whose activations call `run`.
  tbb_scheduler(unsigned workers, runnable::run_function run, unsigned chain_limit = 32);
  /// Drains, then stops the pool.
  ~tbb_scheduler() override;

  void schedule(runnable& r) noexcept override;
  void drain() noexcept override;
  bool running_here() const noexcept override;

  /// Returns the number of worker threads.
  unsigned workers() const noexcept;

  /// True if work of this pool waits to start: a task queued and not started, or an outside
  /// schedule not yet taken. A snapshot, exact once the pool is drained and nobody schedules.
  bool work_waiting() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace thespis
