#include "scheduler/timer_service.hpp"

#include <algorithm>
#include <utility>

namespace thespis {

// -- timer_service --------------------------------------------------------------------------

timer_service::time_point timer_service::saturating_add(time_point t, duration d) noexcept {
  if (d > duration::zero() && d > time_point::max() - t) return time_point::max();
  return t + d;
}

timer_service::time_point timer_service::deadline_after(duration delay) const noexcept {
  return saturating_add(now(), delay);
}

// -- real_time_timer_service ----------------------------------------------------------------

real_time_timer_service::real_time_timer_service()
    : thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

real_time_timer_service::~real_time_timer_service() {
  // Explicit, to say the order: the thread stops (its waits wake on the stop request) and
  // joins before queue_ destroys the pending callbacks, unfired.
  thread_.request_stop();
  thread_.join();
}

timer_id real_time_timer_service::schedule_at(time_point deadline, timer_callback callback) {
  std::unique_lock lock(mutex_);
  const auto earliest = queue_.next_deadline();
  const auto id = queue_.push(deadline, std::move(callback));
  lock.unlock();
  // Wake the thread only if it now sleeps too long; a tie with the earliest fires after it.
  if (!earliest || deadline < *earliest) wakeup_.notify_one();
  return timer_id{id};
}

bool real_time_timer_service::cancel(timer_id id) noexcept {
  // No notify: if this was the earliest, the thread wakes at its deadline and finds it gone.
  timer_callback dropped;
  {
    std::lock_guard lock(mutex_);
    dropped = queue_.erase(static_cast<std::uint64_t>(id));
    if (!dropped) {
      // Taken by the thread to fire next? Then stop it there, unless it has started.
      for (std::size_t i = 0; i < taken_; ++i) {
        if (taken_ids_[i] != static_cast<std::uint64_t>(id)) continue;
        fate expected = fate::waiting;
        return taken_fates_[i].compare_exchange_strong(expected, fate::cancelled,
                                                       std::memory_order_relaxed);
      }
    }
  }
  return static_cast<bool>(dropped);  // destroyed here, unlocked: its captures may call us
}

std::size_t real_time_timer_service::pending() const noexcept {
  std::lock_guard lock(mutex_);
  std::size_t waiting = 0;
  for (std::size_t i = 0; i < taken_; ++i)
    waiting += taken_fates_[i].load(std::memory_order_relaxed) == fate::waiting;
  return queue_.size() + waiting;
}

// The timer thread: sleeps until the earliest deadline, then fires what is due.
void real_time_timer_service::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    const time_point now = clock::now();
    const auto next = queue_.next_deadline();
    if (!next) {
      // Nothing pending: sleep until a timer is scheduled or we are stopped.
      wakeup_.wait(lock, stop, [&] { return queue_.next_deadline().has_value(); });
    } else if (*next > now) {
      // Not due yet: sleep until it is, or until an earlier timer is scheduled.
      const time_point due = *next;
      wakeup_.wait_until(lock, stop, due, [&] {
        const auto earliest = queue_.next_deadline();
        return !earliest || *earliest < due;
      });
    } else {
      fire_due(lock, stop, now);
    }
  }
}

// Fires the timers due at `horizon`, earliest first, taking up to `batch` of them per lock hold;
// each runs, and is destroyed with its captures, unlocked. Why batches: arming threads take the
// same lock, and with one timer per hold the two sides met on it for every timer (100,000
// wakeups due within 10 ms: the arming actor slept on the lock's futex again and again). A
// cancel() of a taken timer still stops it: it marks the timer's fate, which is checked here
// just before the timer would run.
void real_time_timer_service::fire_due(std::unique_lock<std::mutex>& lock,
                                       const std::stop_token& stop, time_point horizon) {
  while (!stop.stop_requested()) {
    taken_ = 0;
    while (taken_ < batch &&
           (taken_callbacks_[taken_] = queue_.pop_due(horizon, &taken_ids_[taken_]))) {
      // relaxed: the fate passes no data; each side only needs the one answer its RMW gives.
      taken_fates_[taken_].store(fate::waiting, std::memory_order_relaxed);
      ++taken_;
    }
    if (taken_ == 0) return;
    const std::size_t taken = taken_;
    lock.unlock();
    for (std::size_t i = 0; i < taken; ++i) {
      // Stopped: the rest are destroyed unfired, as the pending ones are.
      if (!stop.stop_requested() &&
          taken_fates_[i].exchange(fate::run, std::memory_order_relaxed) == fate::waiting) {
        taken_callbacks_[i]();
      }
      taken_callbacks_[i] = {};
    }
    lock.lock();
  }
  taken_ = 0;
}

// -- manual_timer_service -------------------------------------------------------------------

timer_id manual_timer_service::schedule_at(time_point deadline, timer_callback callback) {
  return timer_id{queue_.push(deadline, std::move(callback))};
}

bool manual_timer_service::cancel(timer_id id) noexcept {
  return static_cast<bool>(queue_.erase(static_cast<std::uint64_t>(id)));
}

void manual_timer_service::advance(duration delay) {
  advance_to(saturating_add(now_, delay));
}

void manual_timer_service::advance_to(time_point target) {
  while (const auto next = queue_.next_deadline()) {
    if (*next > target) break;
    timer_callback callback = queue_.pop_due(*next);
    now_ = std::max(now_, *next);  // a callback sees its own deadline as now()
    callback();
  }
  now_ = std::max(now_, target);
}

}  // namespace thespis
