#include "bases/common/mailbox_pressure.hpp"

#include <algorithm>
#include <utility>

namespace thespis::detail {

void mailbox_pressure::consumed() noexcept {
  const std::size_t before = queued_.fetch_sub(1, std::memory_order_seq_cst);
  peak_ = std::max(peak_, before);
  if (before - 1 <= low_water_ && has_waiters_.load(std::memory_order_seq_cst)) {
    release_waiters();
  }
}

intrusive_ptr<address_target> mailbox_pressure::parked_on() const noexcept {
  std::lock_guard lock(mutex_);
  if (!parked_) return {};
  // A reference of our own: once the lock is let go, the owner may unpark and drop its own.
  return intrusive_ptr<address_target>::share(const_cast<address_target*>(waiting_on_));
}

// True if the actors parked one behind the other from this one lead back to `owner` (this
// mailbox's actor), or further than max_wait_chain. One lock at a time: never two held at once.
bool mailbox_pressure::chain_comes_back_to(const address_target& owner) const noexcept {
  intrusive_ptr<address_target> next = parked_on();
  for (std::size_t hops = 1; next; ++hops) {
    if (next.get() == &owner || hops > max_wait_chain) return true;
    next = next->parked_on();
  }
  return false;
}

bool mailbox_pressure::wait(waker wake, const address_target& owner) {
  // Outside our lock: the walk takes each actor's lock in turn, never two at once.
  if (chain_comes_back_to(owner)) return false;
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  waiters_.push_back(std::move(wake));
  has_waiters_.store(true, std::memory_order_seq_cst);
  if (queued_.load(std::memory_order_seq_cst) <= low_water_) {  // drained meanwhile
    waiters_.pop_back();
    if (waiters_.empty()) has_waiters_.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void mailbox_pressure::release_waiters() noexcept {
  std::vector<waker> woken;
  {
    std::lock_guard lock(mutex_);
    woken.swap(waiters_);
    has_waiters_.store(false, std::memory_order_relaxed);
  }
  for (auto& wake : woken)
    wake();
}

void mailbox_pressure::park(const address_target* target) noexcept {
  {
    std::lock_guard lock(mutex_);
    waiting_on_ = target;
    parked_ = true;
  }
  release_waiters();
}

void mailbox_pressure::unpark() noexcept {
  // Without the lock: only the owner writes parked_, and its activations are ordered one after
  // the next, so this reads the owner's last write.
  if (!parked_) return;
  std::lock_guard lock(mutex_);
  parked_ = false;
  waiting_on_ = nullptr;
}

void mailbox_pressure::close() noexcept {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  release_waiters();
}

}  // namespace thespis::detail
