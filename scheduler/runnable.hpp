// What a scheduler runs: something with work to do (an actor with messages, in the bases).
// The scheduler knows nothing of messages.
#pragma once

namespace thespis {

/// What a runnable reports after one activation.
enum class run_result {
  idle,     ///< no more work: do not run again until scheduled again
  yielded,  ///< more work, but the budget is spent: run again later, after others (fairness)
};

/// A unit of schedulable work. Thread-safety: a runnable is scheduled again only after it
/// reported `idle`, or is re-queued by the scheduler itself after `yielded`, so run() is never
/// entered by two threads at once. Lifetime: the scheduler holds no reference; whoever
/// schedules a runnable keeps it alive until an activation reports `idle` (an actor cell is
/// kept by the registry until it exits, which it does inside its own activation). run() may
/// end the runnable's life as it returns `idle`; the scheduler does not touch it afterwards.
class runnable {
 public:
  /// Does a bounded amount of work.
  virtual run_result run() noexcept = 0;

 protected:
  ~runnable() = default;
};

}  // namespace thespis
