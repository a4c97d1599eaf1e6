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
  heap_.push_back(entry{deadline, next_sequence_, 0});  // may throw: nothing changed
  std::uint64_t id = 0;
  try {
    id = pending_.insert(std::move(callback));
  } catch (...) {
    heap_.pop_back();
    throw;
  }
  heap_.back().id = id;
  ++next_sequence_;
  sift_up(heap_.size() - 1);
  return id;
}

timer_callback timer_queue::erase(std::uint64_t id) noexcept {
  if (pending_.find(id) == nullptr) return {};
  timer_callback callback = take(id);  // its heap entry is now a tombstone
  if (heap_.front().id == id) {
    drop_dead_top();
  } else {
    compact_if_sparse();
  }
  return callback;
}

timer_callback timer_queue::pop_due(time_point horizon, std::uint64_t* id) noexcept {
  if (heap_.empty() || heap_.front().deadline > horizon) return {};
  const std::uint64_t top = heap_.front().id;  // live: see the invariant
  if (id != nullptr) *id = top;
  pop_top();
  timer_callback callback = take(top);
  drop_dead_top();
  return callback;
}

// Removes a live timer's callback from pending_ and returns it.
timer_callback timer_queue::take(std::uint64_t id) noexcept {
  timer_callback callback = std::move(*pending_.find(id));
  pending_.erase(id);
  return callback;
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
  while (heap_.size() > pending_.size() && !is_live(heap_.front()))
    pop_top();
}

// Rebuilds the heap without tombstones once they outnumber the live timers: O(n), paid for by
// the n/2 cancels since the last rebuild.
void timer_queue::compact_if_sparse() noexcept {
  const std::size_t live = pending_.size();
  if (heap_.size() < min_compaction_size || heap_.size() - live <= live) return;
  std::erase_if(heap_, [this](const entry& e) { return !is_live(e); });
  for (std::size_t i = heap_.size() / arity + 1; i-- > 0;)
    if (i < heap_.size()) sift_down(i);
}

}  // namespace thespis::detail
