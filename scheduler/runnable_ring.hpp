// A bounded queue of runnables for many producers and many consumers: where the pool's
// drainers find what threads outside the pool scheduled.
//
// Why our own (Dmitry Vyukov's bounded MPMC design, rewritten): per item, a producer and a
// consumer each win one CAS on their own index and hand the item over through the slot's
// sequence number (release/acquire), so an outside thread creating actors while a drainer runs
// them share only the slots, four to a cache line. The alternatives, measured on
// fork_join_creation: a mutex and a deque (what this replaces) had both threads wait on the
// lock's futex; oneTBB's concurrent_queue was slower still (406 -> 419 ns/actor at 1 worker,
// 429 -> 464 at 2); moodycamel's ConcurrentQueue synchronises through standalone fences that
// ThreadSanitizer does not model, so CI's TSan build reported its block reuse as a race.
// Bounded: a full ring says so, and the caller keeps the rest elsewhere.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "scheduler/runnable.hpp"

namespace thespis::detail {

class runnable_ring {
 public:
  /// A ring of `capacity` slots; capacity must be a power of two.
  explicit runnable_ring(std::size_t capacity)
      : mask_(capacity - 1), slots_(std::make_unique<slot[]>(capacity)) {
    for (std::size_t i = 0; i < capacity; ++i)
      slots_[i].sequence.store(i, std::memory_order_relaxed);
  }

  /// Adds r; returns false (and adds nothing) if the ring is full. Thread-safe, lock-free.
  bool try_push(runnable* r) noexcept {
    std::size_t position = tail_.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots_[position & mask_];
      // acquire: pairs with the release of the consumer that emptied this slot last lap, so
      // its read of the old item happens before our write of the new one.
      const std::size_t sequence = s.sequence.load(std::memory_order_acquire);
      const auto lag = static_cast<std::intptr_t>(sequence - position);
      if (lag == 0) {
        // relaxed: the index only allots positions; the slot's sequence carries the item.
        if (tail_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
          s.item = r;
          // release: publishes the item to the consumer that acquires this sequence.
          s.sequence.store(position + 1, std::memory_order_release);
          return true;
        }
      } else if (lag < 0) {
        return false;  // the slot still holds last lap's item: full
      } else {
        position = tail_.load(std::memory_order_relaxed);  // another producer took it
      }
    }
  }

  /// Removes the oldest runnable, or returns nullptr if there is none ready (one being pushed
  /// right now counts as not ready). Thread-safe, lock-free.
  runnable* try_pop() noexcept {
    std::size_t position = head_.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots_[position & mask_];
      // acquire: pairs with the producer's release, so the item is complete.
      const std::size_t sequence = s.sequence.load(std::memory_order_acquire);
      const auto lag = static_cast<std::intptr_t>(sequence - (position + 1));
      if (lag == 0) {
        if (head_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
          runnable* r = s.item;
          // release: our read of the item happens before the next lap's producer writes.
          s.sequence.store(position + mask_ + 1, std::memory_order_release);
          return r;
        }
      } else if (lag < 0) {
        return nullptr;  // empty, or the next item not published yet
      } else {
        position = head_.load(std::memory_order_relaxed);  // another consumer took it
      }
    }
  }

  /// True if some runnable was pushed and not yet popped (or is being pushed). A snapshot: the
  /// caller orders it against its own writes (see tbb_scheduler's drainers). "Being pushed"
  /// counts: a producer preempted between claiming its slot and publishing it leaves the ring
  /// reading non-empty while try_pop() finds nothing, and a consumer that waits for it (a
  /// lingering drainer) spins until that producer runs again — bounded by the producer's time
  /// slice, as in any queue of this kind; nothing is lost.
  bool maybe_nonempty() const noexcept {
    return tail_.load(std::memory_order_relaxed) != head_.load(std::memory_order_relaxed);
  }

  /// Roughly how many runnables wait (a snapshot, possibly stale; for heuristics only).
  std::size_t size_estimate() const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_relaxed);
    return tail > head ? tail - head : 0;  // two loads, not one snapshot: head may have passed
  }

 private:
  struct slot {
    std::atomic<std::size_t> sequence;
    runnable* item = nullptr;
  };

  const std::size_t mask_;
  const std::unique_ptr<slot[]> slots_;
  // Producers' and consumers' indexes, each on its own line.
  alignas(64) std::atomic<std::size_t> tail_{0};
  alignas(64) std::atomic<std::size_t> head_{0};
};

}  // namespace thespis::detail
