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
/// entered by two threads at once.
class runnable {
 public:
  /// Does a bounded amount of work.
  virtual run_result run() noexcept = 0;
  /// Keeps the runnable alive while it is queued; thread-safe.
  virtual void retain() noexcept = 0;
  /// Drops what retain() took; thread-safe.
  virtual void release() noexcept = 0;

 protected:
  ~runnable() = default;
};

}  // namespace thespis
