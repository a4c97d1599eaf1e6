#include "scheduler/timer_queue.hpp"

#include <algorithm>
#include <utility>

namespace thespis::detail {

namespace {
// Below this heap size tombstones are left to drain through the top; rebuilding would cost
// more than it frees.
constexpr std::size_t min_compaction_size = 1024;
}  // namespace

std::uint64_t timer_queue::push(time_point deadline, timer_callback callback) {
  if (!callback) callback = [] {};  // pop_due() reports "nothing due" with an empty callback
  heap_.push_back(entry{deadline, next_sequence_, no_slot});  // may throw: nothing changed
  std::uint32_t index = no_slot;
  try {
    index = acquire_slot();
  } catch (...) {
    heap_.pop_back();
    throw;
  }
  slot& s = slots_[index];
  s.sequence = next_sequence_++;
  s.callback = std::move(callback);
  ++live_;
  heap_.back().slot = index;
  sift_up(heap_.size() - 1);
  return id_of(index);
}

timer_callback timer_queue::erase(std::uint64_t id) noexcept {
  const auto index = static_cast<std::uint32_t>(id);
  const auto generation = static_cast<std::uint32_t>(id >> 32);
  if (index >= slots_.size()) return {};
  const slot& s = slots_[index];
  if (s.sequence == 0 || s.generation != generation) return {};
  timer_callback callback = release_slot(index);  // its heap entry is now a tombstone
  if (heap_.front().slot == index) {
    drop_dead_top();
  } else {
    compact_if_sparse();
  }
  return callback;
}

timer_callback timer_queue::pop_due(time_point horizon, std::uint64_t* id) noexcept {
  if (heap_.empty() || heap_.front().deadline > horizon) return {};
  const std::uint32_t index = heap_.front().slot;  // live: see the invariant
  if (id != nullptr) *id = id_of(index);
  pop_top();
  timer_callback callback = release_slot(index);
  drop_dead_top();
  return callback;
}

// -- slots --------------------------------------------------------------------------------------

// Returns a free slot, reused if possible (with a new generation). May throw std::bad_alloc.
std::uint32_t timer_queue::acquire_slot() {
  if (free_head_ != no_slot) {
    const std::uint32_t index = free_head_;
    free_head_ = slots_[index].next_free;
    ++slots_[index].generation;
    return index;
  }
  // The index cannot reach no_slot: 2^32 slots of 64 bytes exceed any memory first.
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

// Frees a live slot and returns its callback. A slot whose generation is spent is retired
// (never linked again), so that its ids are never issued twice.
timer_callback timer_queue::release_slot(std::uint32_t index) noexcept {
  slot& s = slots_[index];
  s.sequence = 0;
  --live_;
  if (s.generation != ~std::uint32_t{0}) {
    s.next_free = free_head_;
    free_head_ = index;
  }
  return std::move(s.callback);
}

// -- the 4-ary heap: the children of i are arity*i+1 .. arity*i+arity -------------------------

void timer_queue::sift_up(std::size_t i) noexcept {
  const entry moving = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / arity;
    if (!fires_before(moving, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = moving;
}

void timer_queue::sift_down(std::size_t i) noexcept {
  const entry moving = heap_[i];
  const std::size_t size = heap_.size();
  for (;;) {
    const std::size_t first = arity * i + 1;
    if (first >= size) break;
    std::size_t best = first;  // the earliest child
    for (std::size_t c = first + 1; c < std::min(first + arity, size); ++c)
      if (fires_before(heap_[c], heap_[best])) best = c;
    if (!fires_before(heap_[best], moving)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = moving;
}

void timer_queue::pop_top() noexcept {
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
}

// Restores the invariant after the top was removed or cancelled. Without tombstones (the heap
// holds exactly the live timers) the top is live: no slot to look at.
void timer_queue::drop_dead_top() noexcept {
  while (heap_.size() > live_ && !is_live(heap_.front()))
    pop_top();
}

// Rebuilds the heap without tombstones once they outnumber the live timers: O(n), paid for by
// the n/2 cancels since the last rebuild.
void timer_queue::compact_if_sparse() noexcept {
  if (heap_.size() < min_compaction_size || heap_.size() - live_ <= live_) return;
  std::erase_if(heap_, [this](const entry& e) { return !is_live(e); });
  for (std::size_t i = heap_.size() / arity + 1; i-- > 0;)
    if (i < heap_.size()) sift_down(i);
}

}  // namespace thespis::detail
