// Deadlines in firing order, each naming its timer by a key: the ordering half of the timer
// service's queue (timer_queue) and of an actor's own wakeups (wakeup_queue). The keys' values
// live elsewhere (a slot_map); this only says which key fires next.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace thespis::detail {

/// A 4-ary min-heap of (deadline, sequence, key) entries, earliest deadline first, ties in push
/// order. Why 4-ary: at 100k+ entries everything is bound by cache misses, and four siblings of
/// 24 bytes share one or two cache lines, so a pop visits 9 levels instead of a binary heap's 17.
/// Sifts move the small entries, never the values.
///
/// Removal from the middle is lazy: the owner frees a key's value and leaves its entry as a
/// tombstone, which the `is_live(key)` predicate recognises; drop_dead_top() skips tombstones at
/// the top and compact_if_sparse() rebuilds without them once they outnumber the live entries.
/// Not thread-safe.
class deadline_heap {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct entry {
    time_point deadline;
    std::uint64_t sequence;  // push order: the tie-break
    std::uint64_t key;       // the timer's key in its owner's slot_map
  };

  /// Adds an entry. May throw std::bad_alloc, and then nothing changed.
  void push(time_point deadline, std::uint64_t key) {
    entries_.push_back(entry{deadline, next_sequence_, key});
    ++next_sequence_;
    sift_up(entries_.size() - 1);
  }

  bool empty() const noexcept { return entries_.empty(); }
  /// Entries, live and tombstones.
  std::size_t size() const noexcept { return entries_.size(); }
  /// The earliest entry; the heap must not be empty.
  const entry& top() const noexcept { return entries_.front(); }

  /// Removes the earliest entry; the heap must not be empty.
  void pop() noexcept {
    entries_.front() = entries_.back();
    entries_.pop_back();
    if (!entries_.empty()) sift_down(0);
  }

  /// Pops tombstones off the top until it is live or the heap is empty. `live` is how many
  /// entries are live: with no tombstones left, no key needs looking up.
  template <class IsLive>
  void drop_dead_top(std::size_t live, IsLive is_live) noexcept {
    while (entries_.size() > live && !is_live(entries_.front().key))
      pop();
  }

  /// Rebuilds the heap without tombstones once they outnumber the `live` entries: O(n), paid
  /// for by the n/2 removals since the last rebuild. Small heaps are left to drain through the
  /// top; rebuilding would cost more than it frees.
  template <class IsLive>
  void compact_if_sparse(std::size_t live, IsLive is_live) noexcept {
    constexpr std::size_t min_compaction_size = 1024;
    if (entries_.size() < min_compaction_size || entries_.size() - live <= live) return;
    std::erase_if(entries_, [&](const entry& e) { return !is_live(e.key); });
    for (std::size_t i = entries_.size() / arity + 1; i-- > 0;)
      if (i < entries_.size()) sift_down(i);
  }

  /// Removes every entry (push order goes on counting).
  void clear() noexcept { entries_.clear(); }

 private:
  static constexpr std::size_t arity = 4;  // the children of i are arity*i+1 .. arity*i+arity

  static bool fires_before(const entry& a, const entry& b) noexcept {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }

  void sift_up(std::size_t i) noexcept {
    const entry moving = entries_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / arity;
      if (!fires_before(moving, entries_[parent])) break;
      entries_[i] = entries_[parent];
      i = parent;
    }
    entries_[i] = moving;
  }

  void sift_down(std::size_t i) noexcept {
    const entry moving = entries_[i];
    const std::size_t size = entries_.size();
    for (;;) {
      const std::size_t first = arity * i + 1;
      if (first >= size) break;
      std::size_t best = first;  // the earliest child
      for (std::size_t c = first + 1; c < std::min(first + arity, size); ++c)
        if (fires_before(entries_[c], entries_[best])) best = c;
      if (!fires_before(entries_[best], moving)) break;
      entries_[i] = entries_[best];
      i = best;
    }
    entries_[i] = moving;
  }

  std::vector<entry> entries_;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace thespis::detail
