#include "bases/common/reply_slot.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "bases/common/outside_inbox.hpp"
#include "bases/common/waiting_asks.hpp"
#include "scheduler/cpu_pause.hpp"

namespace thespis::detail {

using namespace std::chrono_literals;

reply_slot::~reply_slot() {
  destroy_envelope(reply_);
}

void reply_slot::deliver(envelope* env) noexcept {
  if (reaches_outside(*env)) {
    std::lock_guard lock(mutex_);
    if (!closed_ && !reply_) {
      reply_ = env;
      // relaxed: a waiter that sees it takes the mutex before it reads reply_.
      replied_.store(true, std::memory_order_relaxed);
      arrived_.notify_one();
      return;
    }
  }
  reject_(env);  // a second reply, or one that came too late: nothing vanishes silently
}

void reply_slot::give_up(ask_failure why) noexcept {
  std::lock_guard lock(mutex_);
  if (given_up_) return;  // the first reason stands: a shutdown after a dead letter changes none
  given_up_ = true;
  failure_ = why;
  replied_.store(true, std::memory_order_relaxed);  // ends the waiter's spin; it takes the mutex
  arrived_.notify_one();
}

asked reply_slot::take() noexcept {
  std::lock_guard lock(mutex_);
  return close();
}

asked reply_slot::close() noexcept {
  closed_ = true;
  return asked{message(std::exchange(reply_, nullptr)), failure_};
}

// Spins a little before it blocks. Why: a reply to an outside ask mostly comes within a few
// microseconds, and a thread that blocked costs a futex wake from the replier and a rescheduling
// on its own side: an outside ask's round trip took ~8-13 us, and ~1.1 us with this spin. The
// spin is bounded in time, not in iterations (a pause instruction takes ~25 ns on the AMD EPYC
// this was measured on, ~1 ns on some older cores): it pauses for up to 20 us, then yields its
// core (a worker sharing it may be the one to reply) for up to 30 us more.
asked reply_slot::wait_for(std::chrono::nanoseconds timeout, waiting_asks& blocked) noexcept {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto spin_until = start + std::min<std::chrono::nanoseconds>(timeout, 20us);
  const auto yield_until = start + std::min<std::chrono::nanoseconds>(timeout, 50us);
  for (unsigned i = 1; !replied_.load(std::memory_order_relaxed); ++i) {
    if (i % 16 != 0) {  // the clock is read every 16 rounds: a read costs about a pause
      cpu_pause();
      continue;
    }
    const auto now = clock::now();
    if (now >= yield_until) break;
    if (now >= spin_until) std::this_thread::yield();
  }
  // Only an ask that blocks is listed: one answered while it spins, as most are, pays nothing
  // for it (listing every ask took its round trip ~645 -> ~810 ns). Listed before the lock: a
  // shutdown's give_up_all() takes it.
  const waiting_asks::entry listed(blocked, *this);
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [this] { return reply_ != nullptr || given_up_; });
  return close();
}

}  // namespace thespis::detail
