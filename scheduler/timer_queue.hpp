// The pending-timer set both timer services share: what is due next, cancellation by id.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/slot_map.hpp"
#include "scheduler/timer_callback.hpp"

namespace thespis::detail {

/// Pending timers ordered by (deadline, scheduling sequence), so ties fire in scheduling order.
///
/// Layout, chosen for 100k+ pending timers, where everything is bound by cache misses:
///  - a slot_map holds the callbacks; a steady state allocates nothing, and once every timer
///    has fired the next ones take the slots in index order (not in the order the firing left
///    them: a cache miss per schedule);
///  - a 4-ary min-heap of 24-byte entries (deadline, sequence, slot) orders them. Sifts move
///    entries, never callbacks; four siblings share one or two cache lines, so a pop at 100k
///    timers visits 9 levels instead of a binary heap's 17;
///  - a timer's id is its slot_map key (slot generation << 32 | slot index): cancel finds the
///    slot with no hash lookup (a std::unordered_map id -> callback cost 3-4 cache misses and a
///    division per timer, more than the heap). Cancel frees the slot at once and leaves the heap
///    entry as a tombstone (lazy deletion), recognised by a key the slot_map no longer holds and
///    skipped when it reaches the top; the heap is rebuilt without tombstones once they outnumber
///    the live timers.
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
    return heap_.front().deadline;
  }

  /// Returns the number of pending timers.
  std::size_t size() const noexcept { return pending_.size(); }

 private:
  struct entry {
    time_point deadline;
    std::uint64_t sequence;  // scheduling order: the tie-break
    std::uint64_t id;        // the callback's key in pending_
  };
  static constexpr std::size_t arity = 4;

  // The heap order: earliest deadline first, then scheduling order.
  static bool fires_before(const entry& a, const entry& b) noexcept {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
  bool is_live(const entry& e) noexcept { return pending_.find(e.id) != nullptr; }
  timer_callback take(std::uint64_t id) noexcept;

  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;
  void pop_top() noexcept;
  void drop_dead_top() noexcept;
  void compact_if_sparse() noexcept;

  std::vector<entry> heap_;           // live entries and tombstones
  slot_map<timer_callback> pending_;  // the live timers' callbacks, by id
  std::uint64_t next_sequence_ = 1;
};

}  // namespace thespis::detail
