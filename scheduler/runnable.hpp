// What a scheduler runs: something with work to do (an actor with messages, in the bases).
// The scheduler knows nothing of messages.
#pragma once

namespace thespis {

/// What a runnable reports after one activation.
enum class run_result {
  idle,     ///< no more work: do not run again until scheduled again
  yielded,  ///< more work, but the budget is spent: run again later, after others (fairness)
  /// no work right now, but it stays scheduled: run again later, after others. Only when the
  /// scheduler offered it (detail::keep_open_offered()); the next activation that finds no
  /// work reports `idle`.
  kept_open,
};

/// A unit of schedulable work. A scheduler runs one kind of runnable: it calls the run_function
/// it was made with, which does a bounded amount of work. Not a virtual function: an actor cell
/// is a runnable, one per actor, and its other bases have their own vtable pointers — a third
/// would cost every idle actor a word.
/// Thread-safety: a runnable is scheduled again only after it reported `idle`, or is re-queued
/// by the scheduler itself after `yielded` or `kept_open`, so it is never run by two threads at
/// once.
/// Lifetime: the scheduler holds no reference; whoever schedules a runnable keeps it alive
/// until an activation reports `idle` (an actor cell is kept by the registry until it exits,
/// which it does inside its own activation). An activation may end the runnable's life as it
/// returns `idle`; the scheduler does not touch it afterwards.
class runnable {
 public:
  /// Runs one activation of r.
  using run_function = run_result (*)(runnable& r) noexcept;

 protected:
  runnable() = default;
  ~runnable() = default;
};

}  // namespace thespis
