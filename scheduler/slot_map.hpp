// Values in the slots of one array, each found from the key it was given when inserted: an
// actor's pending wakeups (the key is the wakeup's handle, the value its envelope), and the
// timer queue's pending callbacks (the key is the timer's id).
//
// Why not a hash map (this replaced a flat one with linear probing, and std::unordered_map before
// it): the keys here are ours to choose, so a key can say where its value is. A key is the slot's
// index and its generation, which grows each time the slot is freed, so a key of a freed slot
// never finds a later value there. Inserting takes the slot freed last (a stack), which the
// owner just touched: an actor that arms 100,000 wakeups and takes them as they fire hit a cache
// miss on each insert and each erase with hashed keys (a fifth of its time, the timers workload),
// and now only on the erase. Once the map is empty, inserts take the slots in index order again
// (a bump index), not in the order the stack was left: re-arming 100,000 wakeups after they had
// all fired popped a stack scrambled by the firing order, a cache miss per insert (84 % of
// wakeup_after's samples). No probing, no shifting. A slot whose generation is spent is never
// used again, so no key is ever issued twice. Not thread-safe: the owning actor's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace thespis::detail {

template <class Value, class Allocator = std::allocator<Value>>
class slot_map {
 public:
  /// Returns the number of values held.
  std::size_t size() const noexcept { return size_; }

  /// Adds a value and returns its key: never 0, never issued before by this map. May throw
  /// std::bad_alloc, and then nothing changed.
  std::uint64_t insert(Value value) {
    std::uint32_t index = free_head_;
    if (index != no_slot) {
      free_head_ = slots_[index].next_free;
    } else {
      while (bump_ < slots_.size() && slots_[bump_].generation == spent)
        ++bump_;
      if (bump_ == slots_.size()) {
        slots_.emplace_back();  // may throw
        bump_ = static_cast<std::uint32_t>(slots_.size() - 1);
      }
      index = static_cast<std::uint32_t>(bump_++);
    }
    slot& s = slots_[index];
    ++s.generation;  // the first use of a slot is generation 1: no key is 0
    s.next_free = in_use;
    s.value = std::move(value);
    ++size_;
    return key_of(index);
  }

  /// Returns the value of key, or null if key is not held (erased, or never issued).
  Value* find(std::uint64_t key) noexcept {
    const auto index = static_cast<std::uint32_t>(key);
    if (index >= slots_.size()) return nullptr;
    slot& s = slots_[index];
    if (s.next_free != in_use || s.generation != static_cast<std::uint32_t>(key >> 32))
      return nullptr;
    return &s.value;
  }

  /// Starts loading key's slot into the cache, for a find() or erase() soon after (a hint; any
  /// key will do).
  void prefetch(std::uint64_t key) const noexcept {
    const auto index = static_cast<std::uint32_t>(key);
    if (index < slots_.size()) __builtin_prefetch(&slots_[index]);
  }

  /// Removes key's value; returns whether it was held.
  bool erase(std::uint64_t key) noexcept {
    if (find(key) == nullptr) return false;
    release(static_cast<std::uint32_t>(key));
    return true;
  }

  /// Removes every value; their keys never find anything again.
  void clear() noexcept {
    for (std::uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].next_free == in_use) release(i);
  }

  /// Calls f(key, value&) for every value held, in no particular order. f must not change the
  /// map.
  template <class F>
  void for_each(F&& f) {
    for (std::uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].next_free == in_use) f(key_of(i), slots_[i].value);
  }

 private:
  static constexpr std::uint32_t no_slot = ~std::uint32_t{0};  // end of the free stack
  static constexpr std::uint32_t in_use = no_slot - 1;         // next_free of a held slot
  static constexpr std::uint32_t spent = ~std::uint32_t{0};    // a generation never reused

  struct slot {
    std::uint32_t generation = 0;       // of the value held now, or of the last one
    std::uint32_t next_free = no_slot;  // in_use, or the next slot of the free stack
    Value value{};
  };

  std::uint64_t key_of(std::uint32_t index) const noexcept {
    return (std::uint64_t{slots_[index].generation} << 32) | index;
  }

  void release(std::uint32_t index) noexcept {
    slot& s = slots_[index];
    s.value = Value{};
    s.next_free = no_slot;
    if (--size_ == 0) {  // every slot is free: take them in index order from here
      free_head_ = no_slot;
      bump_ = 0;
      return;
    }
    if (s.generation == spent) return;  // its next use would repeat keys: retired
    s.next_free = free_head_;
    free_head_ = index;
  }

  // Free slots are those on the stack and every slot from bump_ on (never in the stack).
  // 32-bit counts: indexes are 32-bit anyway, and an actor with one wakeup pays for this map.
  std::vector<slot, typename std::allocator_traits<Allocator>::template rebind_alloc<slot>> slots_;
  std::uint32_t free_head_ = no_slot;
  std::uint32_t bump_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace thespis::detail
