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

bool mailbox_pressure::wait(waker wake) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  // The owner is parked on an actor that is parked too: waiting here could close a cycle.
  if (parked_.load(std::memory_order_seq_cst) && waiting_on_ != nullptr && waiting_on_->parked()) {
    return false;
  }
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
    parked_.store(true, std::memory_order_seq_cst);
  }
  release_waiters();
}

void mailbox_pressure::unpark() noexcept {
  // relaxed: only the owner writes parked_, and its activations are ordered one after the
  // next, so this reads the owner's last write.
  if (!parked_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mutex_);
  parked_.store(false, std::memory_order_seq_cst);
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
