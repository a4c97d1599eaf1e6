// The pending-timer set both timer services share: what is due next, cancellation by id.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "scheduler/deadline_heap.hpp"
#include "scheduler/slot_map.hpp"
#include "scheduler/timer_callback.hpp"

namespace thespis::detail {

/// Pending timers ordered by (deadline, scheduling sequence), so ties fire in scheduling order.
///
/// Layout, chosen for 100k+ pending timers, where everything is bound by cache misses:
///  - a slot_map holds the callbacks; a steady state allocates nothing, and once every timer
///    has fired the next ones take the slots in index order (not in the order the firing left
///    them: a cache miss per schedule);
///  - a deadline_heap (4-ary, 24-byte entries) orders them; sifts move entries, never callbacks;
///  - a timer's id is its slot_map key (slot generation << 32 | slot index): cancel finds the
///    slot with no hash lookup (a std::unordered_map id -> callback cost 3-4 cache misses and a
///    division per timer, more than the heap). Cancel frees the slot at once and leaves the heap
///    entry as a tombstone (lazy deletion), recognised by a key the slot_map no longer holds.
/// So schedule and fire are O(log n), cancel O(1) amortized. The slot_map never issues a key
/// twice, so no id is ever issued twice; id 0 never is. A hierarchical timing wheel would make
/// schedule O(1) too, but it quantizes deadlines and needs a tick that wakes an idle system.
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
    return heap_.top().deadline;
  }

  /// Returns the number of pending timers.
  std::size_t size() const noexcept { return pending_.size(); }

 private:
  timer_callback take(std::uint64_t id) noexcept;
  // A heap entry is live while its callback is pending; otherwise it is a tombstone.
  auto is_live() noexcept {
    return [this](std::uint64_t id) { return pending_.find(id) != nullptr; };
  }
  void drop_dead_top() noexcept { heap_.drop_dead_top(pending_.size(), is_live()); }

  deadline_heap heap_;                // live entries and tombstones
  slot_map<timer_callback> pending_;  // the live timers' callbacks, by id
};

}  // namespace thespis::detail
