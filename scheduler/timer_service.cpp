#include "scheduler/timer_service.hpp"

#include <algorithm>
#include <utility>

namespace thespis {

namespace {
// Returns t + d, or the end of time if that is not representable.
timer_service::time_point saturating_add(timer_service::time_point t, timer_service::duration d) {
  using time_point = timer_service::time_point;
  if (d > timer_service::duration::zero() && d > time_point::max() - t) return time_point::max();
  return t + d;
}
}  // namespace

// -- timer_service --------------------------------------------------------------------------

timer_id timer_service::schedule_after(duration delay, timer_callback callback) {
  return schedule_at(saturating_add(now(), delay), std::move(callback));
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
  }
  return static_cast<bool>(dropped);  // destroyed here, unlocked: its captures may call us
}

std::size_t real_time_timer_service::pending() const noexcept {
  std::lock_guard lock(mutex_);
  return queue_.size();
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

// Fires the timers due at `horizon`, earliest first, one per lock hold (so a cancel() between
// two callbacks is honoured exactly). Each runs, and is destroyed with its captures, unlocked.
void real_time_timer_service::fire_due(std::unique_lock<std::mutex>& lock,
                                       const std::stop_token& stop, time_point horizon) {
  while (!stop.stop_requested()) {
    timer_callback callback = queue_.pop_due(horizon);
    if (!callback) return;
    lock.unlock();
    callback();
    callback = {};
    lock.lock();
  }
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
