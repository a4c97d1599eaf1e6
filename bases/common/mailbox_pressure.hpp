// Back-pressure for one actor's mailbox: counts what is queued, and holds the senders that must
// wait until the actor drains below its low-water mark.
//
// The rule (docs/semantics.md): when a message leaves a target with more than `limit` queued
// messages, its sender is slowed down. An actor sender finishes the message it is handling and
// is then parked — off every worker, not blocking one — until the target drains to `limit / 2`
// or exits. An outside caller's tell blocks the same way (up to a timeout).
//
// No cycle of parked actors can form: an actor that parks marks its mailbox parked and releases
// its waiters, under its mutex, before it registers with its target; a parked mailbox refuses
// new waiters. Of two actors parking on each other at the same moment, each marks itself, then
// asks the other under the other's mutex, so the second to ask finds the first marked and goes
// on unthrottled (and so for longer cycles: the last to join finds the next one parked).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace thespis::detail {

/// Thread-safe. Exists only for actors of systems with a mailbox limit.
class mailbox_pressure {
 public:
  using waker = std::function<void()>;

  explicit mailbox_pressure(std::size_t limit) noexcept : limit_(limit), low_water_(limit / 2) {}

  /// A message was queued (any producer).
  void pushed() noexcept { queued_.fetch_add(1, std::memory_order_relaxed); }

  /// Returns true if senders must slow down.
  bool congested() const noexcept { return queued_.load(std::memory_order_relaxed) > limit_; }

  /// The owner consumed one message; wakes the waiters once the queue is at the low-water mark.
  void consumed() noexcept;

  /// Registers `wake` to be called when the queue drains or the actor exits. Returns false (and
  /// does not register) if there is nothing to wait for any more.
  bool wait(waker wake);

  /// Calls every registered waker now, and refuses new ones until unpark(): the owner is about to
  /// park (wait for another actor), and nobody may wait for a parked actor. Owner only.
  void park() noexcept;
  /// The owner runs again (or did not park after all): it accepts waiters again. Owner only;
  /// cheap when the owner had not parked.
  void unpark() noexcept;

  /// The actor exited: wakes everyone, and later waits return false at once.
  void close() noexcept;

  /// Returns the most messages ever queued at once (as counted here).
  std::size_t peak() const noexcept { return peak_; }

 private:
  void release_waiters() noexcept;

  const std::size_t limit_;
  const std::size_t low_water_;
  // seq_cst on queued_ and has_waiters_ (here and in wait()): a waiter publishes itself, then
  // re-reads the count; the consumer decrements, then reads the flag. Of two such racing
  // threads at least one sees the other, so no waiter sleeps through the drain.
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> has_waiters_{false};
  std::size_t peak_ = 0;       // owner only
  bool owner_parked_ = false;  // owner only: the owner's view of parked_, to skip the mutex
  std::mutex mutex_;
  std::vector<waker> waiters_;  // guarded by mutex_
  bool closed_ = false;         // guarded by mutex_
  bool parked_ = false;         // guarded by mutex_: the owner waits for another actor
};

}  // namespace thespis::detail
