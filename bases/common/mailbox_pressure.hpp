// Back-pressure for one actor's mailbox: counts what is queued, and holds the senders that must
// wait until the actor drains below its low-water mark.
//
// The rule (docs/semantics.md): when a message leaves a target with more than `limit` queued
// messages, its sender is slowed down. An actor sender finishes the message it is handling and
// is then parked — off every worker, not blocking one — until the target drains to `limit / 2`
// or exits. An outside caller's tell blocks the same way (up to a timeout).
//
// No cycle of parked actors can form. An actor that parks first records, under its mutex, that
// it is parked and on whom it waits, and releases its waiters; then it registers with its
// target. Before a waiter registers, it follows the chain of parked actors from the target (each
// one's record read under that one's mutex): it waits only if the chain ends at an actor that
// is not parked, and goes on unthrottled if the chain comes back to the target — waiting there
// would close a cycle — or is longer than `max_wait_chain`. Of actors parking in a ring at the
// same moment, the last to read finds the others' records and goes on. Why the whole chain:
// looking one actor ahead lost the back-pressure of every chain with two relays or more (a
// source flooded a relay parked behind a parked relay), and a walk happens only when a sender
// is about to park, off the message path.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "core/detail/address_target.hpp"
#include "core/detail/ref_counted.hpp"

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
  /// does not register) if there is nothing to wait for any more, or if waiting could close a
  /// cycle of parked actors. `owner` is the actor whose mailbox this is.
  bool wait(waker wake, const address_target& owner);

  /// The owner is about to park, waiting for `target` (which the owner keeps alive until
  /// unpark()): calls every registered waker now. Owner only.
  void park(const address_target* target) noexcept;
  /// The owner runs again (or did not park after all): it accepts waiters again. Owner only;
  /// cheap when the owner had not parked.
  void unpark() noexcept;

  /// While the owner is parked: the actor it waits for; otherwise null. Thread-safe.
  intrusive_ptr<address_target> parked_on() const noexcept;

  /// Actors a waiter follows at most before it gives up waiting (see the rule above).
  static constexpr std::size_t max_wait_chain = 64;

  /// The actor exited: wakes everyone, and later waits return false at once.
  void close() noexcept;

  /// Returns the most messages ever queued at once (as counted here).
  std::size_t peak() const noexcept { return peak_; }

  /// Owner only: a congested target the owner sent to; while parked, the one it waits for,
  /// kept alive here for the checks of those who would wait for the owner. Kept here, not in
  /// the actor's cell: only systems with a mailbox limit need it.
  intrusive_ptr<address_target>& slow_down_for() noexcept { return slow_down_for_; }

 private:
  void release_waiters() noexcept;
  bool chain_comes_back_to(const address_target& owner) const noexcept;

  const std::size_t limit_;
  const std::size_t low_water_;
  // seq_cst on queued_ and has_waiters_ (here and in wait()): a waiter publishes itself, then
  // re-reads the count; the consumer decrements, then reads the flag. Of two such racing
  // threads at least one sees the other, so no waiter sleeps through the drain.
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> has_waiters_{false};
  std::size_t peak_ = 0;  // owner only
  mutable std::mutex mutex_;
  std::vector<waker> waiters_;  // guarded by mutex_
  bool closed_ = false;         // guarded by mutex_
  // Written under mutex_ by the owner, read under it by waiters (parked_on()) and without it
  // by the owner alone (unpark()). Of actors parking in a ring, the last to read the others'
  // records reads them after they were written: each mutex orders a record against a read.
  bool parked_ = false;
  // guarded by mutex_: while parked. Alive while it is set: slow_down_for_ holds it, and is
  // cleared only after unpark() has cleared this.
  const address_target* waiting_on_ = nullptr;
  intrusive_ptr<address_target> slow_down_for_;  // owner only
};

}  // namespace thespis::detail
