// A priority queue for deadlines that only move forward: an actor's own wakeups (wakeup_queue).
//
// Why not the 4-ary heap the timer service uses (deadline_heap): an actor that arms 100,000
// wakeups and takes them as they come due spent a third of its time in that heap's sifts and
// slot look-ups, each a cache miss (the timers workload). Taking wakeups only ever moves
// forward in time, so a radix heap fits (Ahuja, Mehlhorn, Orlin, Tarjan 1990): entries sit in 65
// buckets by the highest bit in which their key differs from the last key taken; a push appends
// to one bucket, and taking empties the lowest bucket into lower ones. Every access is an
// append or a sequential scan, and an entry moves down at most 64 times in its life (in
// practice a few: the bits its deadline has beyond the last one taken).
//
// Few entries (most actors arm one or two wakeups) stay in a small sorted vector instead: the
// 65 buckets are made only when more than `small_capacity` wait. Then they stay, with their
// capacity (as a vector keeps its own), until clear(): an actor that arms 100,000 wakeups
// again and again re-grew them each time, page faults and copies (a fifth of its time).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace thespis::detail {

/// Values by 64-bit key, taken in key order, equal keys in push order. Monotone once it has
/// buckets: a key pushed below the last key taken then counts as that key (it is due as soon as
/// anything is; the small vector takes any order). Not thread-safe.
template <class Value, class Allocator = std::allocator<Value>>
class radix_heap {
 public:
  struct entry {
    std::uint64_t key;
    Value value;
  };
  using entries =
      std::vector<entry, typename std::allocator_traits<Allocator>::template rebind_alloc<entry>>;
  static constexpr std::size_t small_capacity = 32;

  std::size_t size() const noexcept { return buckets_ ? buckets_->size : small_.size(); }
  bool empty() const noexcept { return size() == 0; }

  /// Adds `value` at `key`. May throw std::bad_alloc, and then nothing changed.
  void push(std::uint64_t key, Value value) {
    if (!buckets_ && small_.size() == small_capacity) grow();
    if (buckets_) {
      buckets& b = *buckets_;
      key = std::max(key, b.last);
      b.add(b.bucket_of(key), entry{key, value});
      ++b.size;
    } else {
      // Sorted with the next to take at the back; a key equal to others goes in front of them.
      const auto at = std::partition_point(small_.begin(), small_.end(),
                                           [key](const entry& e) { return e.key > key; });
      small_.insert(at, entry{key, value});
    }
  }

  /// Returns the smallest key, if any.
  std::optional<std::uint64_t> min_key() const noexcept {
    if (!buckets_) {
      if (small_.empty()) return std::nullopt;
      return small_.back().key;
    }
    const buckets& b = *buckets_;
    if (!b.slots[0].empty()) return b.last;
    if (b.nonempty == 0) return std::nullopt;
    return b.minimum[b.lowest_nonempty()];
  }

  /// Removes every entry with a key at or before `horizon` and calls take(value) on each, in
  /// key order, equal keys in push order. take must not change the heap. Moving entries between
  /// buckets may allocate; std::bad_alloc there ends the process (noexcept).
  template <class Take>
  void pop_until(std::uint64_t horizon, Take&& take) noexcept {
    if (!buckets_) {
      while (!small_.empty() && small_.back().key <= horizon) {
        const entry e = small_.back();
        small_.pop_back();
        take(e.value);
      }
      return;
    }
    buckets& b = *buckets_;
    while (b.last <= horizon) {
      if (entries& due = b.slots[0]; !due.empty()) {  // all at b.last
        for (const entry& e : due)
          take(e.value);
        b.size -= due.size();
        due.clear();
      }
      if (b.nonempty == 0) break;
      const std::size_t lowest = b.lowest_nonempty();
      if (b.minimum[lowest] > horizon) break;
      // Its minimum is the smallest key left: taken next, and every entry of the bucket
      // differs from it in a lower bit, so they all move down (in order: ties stay in order).
      b.last = b.minimum[lowest];
      entries moving = std::move(b.slots[lowest]);
      b.clear(lowest);
      for (const entry& e : moving)
        b.add(b.bucket_of(e.key), e);
      moving.clear();
      b.slots[lowest] = std::move(moving);  // keep its capacity for the bucket's next entries
    }
  }

  /// Removes every entry whose value `dead` says so (order kept). O(n).
  template <class Dead>
  void erase_if(Dead&& dead) noexcept {
    const auto is_dead = [&](const entry& e) { return dead(e.value); };
    if (!buckets_) {
      std::erase_if(small_, is_dead);
      return;
    }
    buckets& b = *buckets_;
    for (std::size_t i = 0; i < b.slots.size(); ++i) {
      b.size -= std::erase_if(b.slots[i], is_dead);
      if (i == 0) continue;
      b.minimum[i] = ~std::uint64_t{0};
      for (const entry& e : b.slots[i])
        b.minimum[i] = std::min(b.minimum[i], e.key);
      if (b.slots[i].empty()) b.nonempty &= ~(std::uint64_t{1} << (i - 1));
    }
  }

  /// Removes every entry (without calling anything on them).
  void clear() noexcept {
    small_.clear();
    buckets_.reset();
  }

  /// Calls f(value) on every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const entry& e : small_)
      f(e.value);
    if (buckets_) {
      for (const auto& slot : buckets_->slots)
        for (const entry& e : slot)
          f(e.value);
    }
  }

 private:
  // Bucket 0 holds keys equal to `last`; bucket i > 0 keys whose highest bit differing from
  // `last` is bit i-1. Each bucket above 0 knows its smallest key, and `nonempty` has bit i-1
  // set for a non-empty bucket i, so finding the next key to take looks at no entry.
  struct buckets {
    std::array<entries, 65> slots;
    std::array<std::uint64_t, 65> minimum;
    std::uint64_t nonempty = 0;
    std::uint64_t last;  // the last key taken (0 before any)
    std::size_t size = 0;

    explicit buckets(std::uint64_t last_taken) noexcept : last(last_taken) {
      minimum.fill(~std::uint64_t{0});
    }
    std::size_t bucket_of(std::uint64_t key) const noexcept {
      return static_cast<std::size_t>(std::bit_width(key ^ last));
    }
    std::size_t lowest_nonempty() const noexcept {
      return static_cast<std::size_t>(std::countr_zero(nonempty)) + 1;
    }
    void add(std::size_t i, const entry& e) {
      slots[i].push_back(e);  // may throw: nothing changed
      if (i == 0) return;
      minimum[i] = std::min(minimum[i], e.key);
      nonempty |= std::uint64_t{1} << (i - 1);
    }
    void clear(std::size_t i) noexcept {
      slots[i].clear();
      minimum[i] = ~std::uint64_t{0};
      nonempty &= ~(std::uint64_t{1} << (i - 1));
    }
  };

  // More than small_capacity wait: into the buckets with them. With 0 as the last key taken,
  // not their smallest: a key pushed later may be smaller than all of them (a wakeup armed for
  // sooner), and it must not count as theirs. The first take then sorts them down from the top.
  void grow() {
    auto made = std::make_unique<buckets>(0);                // may throw, as may the adds
    for (auto e = small_.rbegin(); e != small_.rend(); ++e)  // equal keys: the first pushed first
      made->add(made->bucket_of(e->key), *e);
    made->size = small_.size();
    buckets_ = std::move(made);
    small_ = {};
  }

  // Two words and a vector: an actor with one wakeup pays for this in its timing state.
  entries small_;                     // while buckets_ is null: next to take at the back
  std::unique_ptr<buckets> buckets_;  // null until more than small_capacity entries wait
};

}  // namespace thespis::detail
