// A map from nonzero 64-bit numbers to small values, in one flat array: an actor's pending
// wakeups, by handle.
//
// Why not std::unordered_map: it allocates a node per entry and frees it on erase, and an actor
// that arms 100,000 wakeups spent a fifth of its time in malloc for them (the timers workload)
// plus two dependent cache misses per lookup (bucket, then node). Here a lookup is one probe
// sequence in one array (linear probing on a Fibonacci hash), an erase shifts the following
// entries back (no tombstones), and the array doubles at half full. Keys are handles numbered
// from 1, so 0 marks a free slot. Not thread-safe: the owning actor's.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace thespis::detail {

template <class Value>
class id_map {
 public:
  /// Returns the number of entries.
  std::size_t size() const noexcept { return size_; }

  /// Adds key -> value; key must be nonzero and not in the map. May throw std::bad_alloc, and
  /// then nothing changed.
  void insert(std::uint64_t key, Value value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    place(key, std::move(value));
    ++size_;
  }

  /// Returns the value for key, or null.
  Value* find(std::uint64_t key) noexcept {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(key);; i = next(i)) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }

  /// Removes key; returns whether it was there.
  bool erase(std::uint64_t key) noexcept {
    if (size_ == 0) return false;
    std::size_t hole = home(key);
    for (;; hole = next(hole)) {
      if (slots_[hole].key == key) break;
      if (slots_[hole].key == 0) return false;
    }
    // Backward shift: later entries of the run that could live in the hole move into it, so
    // every entry stays reachable from its home slot without a gap.
    for (std::size_t i = next(hole);; i = next(i)) {
      if (slots_[i].key == 0) break;
      const std::size_t want = home(slots_[i].key);
      // Movable if its home is not in (hole, i], cyclically.
      const bool stays = hole < i ? (want > hole && want <= i) : (want > hole || want <= i);
      if (stays) continue;
      slots_[hole] = std::move(slots_[i]);
      hole = i;
    }
    slots_[hole] = slot{};
    --size_;
    return true;
  }

  /// Calls f(key, value&) for every entry, in no particular order. f must not change the map.
  template <class F>
  void for_each(F&& f) {
    for (slot& s : slots_)
      if (s.key != 0) f(s.key, s.value);
  }

 private:
  struct slot {
    std::uint64_t key = 0;  // 0: free
    Value value{};
  };

  std::size_t home(std::uint64_t key) const noexcept {
    constexpr std::uint64_t golden = 0x9E3779B97F4A7C15u;  // Fibonacci hashing
    return static_cast<std::size_t>((key * golden) >> shift_);
  }
  std::size_t next(std::size_t i) const noexcept { return (i + 1) & (slots_.size() - 1); }

  void place(std::uint64_t key, Value value) noexcept {
    std::size_t i = home(key);
    while (slots_[i].key != 0)
      i = next(i);
    slots_[i] = slot{key, std::move(value)};
  }

  void grow() {
    const std::size_t capacity = slots_.empty() ? 8 : slots_.size() * 2;
    std::vector<slot> old = std::exchange(slots_, std::vector<slot>(capacity));  // may throw
    shift_ = 64 - std::countr_zero(capacity);
    for (slot& s : old)
      if (s.key != 0) place(s.key, std::move(s.value));
  }

  std::vector<slot> slots_;  // a power of two in size, or empty
  std::size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace thespis::detail
