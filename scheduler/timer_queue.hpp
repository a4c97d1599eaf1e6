// The pending-timer set both timer services share: what is due next, cancellation by id.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/timer_callback.hpp"

namespace thespis::detail {

/// Pending timers ordered by (deadline, scheduling sequence), so ties fire in scheduling order.
///
/// Layout, chosen for 100k+ pending timers, where everything is bound by cache misses:
///  - a slab of 64-byte slots holds the callbacks; a free slot is linked into a free list, so
///    a steady state allocates nothing;
///  - a 4-ary min-heap of 24-byte entries (deadline, sequence, slot) orders them. Sifts move
///    entries, never callbacks; four siblings share one or two cache lines, so a pop at 100k
///    timers visits 9 levels instead of a binary heap's 17;
///  - a timer's id is (slot generation << 32 | slot index): cancel finds the slot with no hash
///    lookup (a std::unordered_map id -> callback cost 3-4 cache misses and a division per
///    timer, more than the heap). Cancel frees the slot at once and leaves the heap entry as a
///    tombstone (lazy deletion), recognised by a sequence mismatch and skipped when it reaches
///    the top; the heap is rebuilt without tombstones once they outnumber the live timers.
/// So schedule and fire are O(log n), cancel O(1) amortized. A slot's generation grows on each
/// reuse and a slot whose generation is spent is retired, so no id is ever issued twice; id 0
/// never is. A hierarchical timing wheel would make schedule O(1) too, but it quantizes
/// deadlines and needs a tick that wakes an idle system.
///
/// Invariant: the heap's top is live (or the heap is empty). Not thread-safe.
class timer_queue {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Adds a timer and returns its id (never 0, never issued before).
  std::uint64_t push(time_point deadline, timer_callback callback);

  /// Removes a pending timer and returns its callback, for the caller to destroy (outside any
  /// lock). Returns an empty callback if id is not pending (fired, cancelled, never issued).
  timer_callback erase(std::uint64_t id) noexcept;

  /// Removes the earliest timer if its deadline is at or before `horizon` and returns its
  /// callback (and, if `id` is given, sets *id to its id); otherwise returns an empty callback.
  timer_callback pop_due(time_point horizon, std::uint64_t* id = nullptr) noexcept;

  /// Returns the earliest pending deadline, if any.
  std::optional<time_point> next_deadline() const noexcept {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().deadline;
  }

  /// Returns the number of pending timers.
  std::size_t size() const noexcept { return live_; }

 private:
  struct entry {
    time_point deadline;
    std::uint64_t sequence;  // scheduling order: the tie-break
    std::uint32_t slot;
  };
  struct slot {
    std::uint64_t sequence = 0;    // the pending timer's entry; 0 while free
    std::uint32_t generation = 1;  // the high half of the pending timer's id
    std::uint32_t next_free = 0;   // the free list's link, while free
    timer_callback callback;
  };
  static constexpr std::uint32_t no_slot = ~std::uint32_t{0};
  static constexpr std::size_t arity = 4;

  // The heap order: earliest deadline first, then scheduling order.
  static bool fires_before(const entry& a, const entry& b) noexcept {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
  bool is_live(const entry& e) const noexcept { return slots_[e.slot].sequence == e.sequence; }

  std::uint32_t acquire_slot();
  timer_callback release_slot(std::uint32_t index) noexcept;
  // The id of the timer a live slot holds.
  std::uint64_t id_of(std::uint32_t index) const noexcept {
    return (std::uint64_t{slots_[index].generation} << 32) | index;
  }
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  void pop_top() noexcept;
  void drop_dead_top() noexcept;
  void compact_if_sparse() noexcept;

  std::vector<entry> heap_;  // live entries and tombstones
  std::vector<slot> slots_;  // indexed by the low half of an id
  std::uint32_t free_head_ = no_slot;
  std::size_t live_ = 0;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace thespis::detail
