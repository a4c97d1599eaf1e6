#include "scheduler/timer_queue.hpp"

#include <utility>

namespace thespis::detail {

std::uint64_t timer_queue::push(time_point deadline, timer_callback callback) {
  if (!callback) callback = [] {};  // pop_due() reports "nothing due" with an empty callback
  const std::uint64_t id = pending_.insert(std::move(callback));  // may throw: nothing changed
  try {
    heap_.push(deadline, id);
  } catch (...) {
    pending_.erase(id);
    throw;
  }
  return id;
}

timer_callback timer_queue::erase(std::uint64_t id) noexcept {
  if (pending_.find(id) == nullptr) return {};
  timer_callback callback = take(id);  // its heap entry is now a tombstone
  if (heap_.top().key == id) {
    drop_dead_top();
  } else {
    heap_.compact_if_sparse(pending_.size(), is_live());
  }
  return callback;
}

timer_callback timer_queue::pop_due(time_point horizon, std::uint64_t* id) noexcept {
  if (heap_.empty() || heap_.top().deadline > horizon) return {};
  const std::uint64_t top = heap_.top().key;  // live: see the invariant
  if (id != nullptr) *id = top;
  heap_.pop();
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

}  // namespace thespis::detail
