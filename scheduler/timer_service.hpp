// Timers: one facility per actor system that runs callbacks at deadlines (what backs
// wakeup_after). Two implementations: real_time_timer_service (one thread, steady_clock) for
// the threaded base, manual_timer_service (virtual time, driven by its owner) for the
// deterministic simple base.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "scheduler/timer_callback.hpp"
#include "scheduler/timer_queue.hpp"

namespace thespis {

/// Names one scheduled timer, for cancel(). Ids are unique per service and never reused;
/// `timer_id{}` (0) is never issued, so it can stand for "no timer".
enum class timer_id : std::uint64_t {};

/// Runs callbacks at deadlines. Callbacks fire at or after their deadline, in deadline order,
/// ties in scheduling order, each exactly once unless cancelled first. A callback must not
/// throw (std::terminate). Who may call what is said by each implementation.
class timer_service {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;
  using duration = clock::duration;

  virtual ~timer_service() = default;

  /// Returns the service's current time; deadlines are compared against it.
  virtual time_point now() const noexcept = 0;

  /// Schedules `callback` to run once at `deadline` (a past deadline fires as soon as possible).
  /// May throw std::bad_alloc, in which case nothing was scheduled.
  virtual timer_id schedule_at(time_point deadline, timer_callback callback) = 0;

  /// Schedules `callback` to run once `delay` from now(); a delay too large to represent
  /// saturates to the end of time (never fires).
  timer_id schedule_after(duration delay, timer_callback callback) {
    return schedule_at(deadline_after(delay), std::move(callback));
  }

  /// Returns the deadline `delay` from now(), saturated to the end of time.
  time_point deadline_after(duration delay) const noexcept;

  /// Returns t + d, or the end of time if that is not representable (a virtual clock advanced
  /// by hours::max() gets there).
  static time_point saturating_add(time_point t, duration d) noexcept;

  /// Cancels a pending timer. Returns true if it was pending and now will never fire; false if
  /// it already fired, is firing, was cancelled, or was never issued.
  virtual bool cancel(timer_id id) noexcept = 0;

  /// Returns the number of timers scheduled and neither fired nor cancelled.
  virtual std::size_t pending() const noexcept = 0;
};

/// Real time on std::chrono::steady_clock, served by one std::jthread for all timers. The
/// thread sleeps on a condition variable until the earliest deadline (an idle service costs no
/// CPU), then fires every due callback in order, one at a time, on its own thread and outside
/// the lock, so a callback may schedule and cancel timers (cancelling one that is due next
/// still stops it). A callback should be short: later timers wait for it. Every member is
/// thread-safe, except that the service must not be destroyed from inside one of its callbacks.
class real_time_timer_service final : public timer_service {
 public:
  /// Starts the timer thread.
  real_time_timer_service();
  /// Stops the timer thread promptly (after the callback it runs, if any) and destroys the
  /// pending callbacks without running them.
  ~real_time_timer_service() override;

  real_time_timer_service(const real_time_timer_service&) = delete;
  real_time_timer_service& operator=(const real_time_timer_service&) = delete;

  time_point now() const noexcept override { return clock::now(); }
  timer_id schedule_at(time_point deadline, timer_callback callback) override;
  bool cancel(timer_id id) noexcept override;
  std::size_t pending() const noexcept override;

 private:
  void run(std::stop_token stop);
  void fire_due(std::unique_lock<std::mutex>& lock, const std::stop_token& stop,
                time_point horizon);

  // -- shared, guarded by mutex_ -----------------------------------------------------------
  mutable std::mutex mutex_;
  std::condition_variable_any wakeup_;  // notified when the earliest deadline moves earlier
  detail::timer_queue queue_;

  // The due timers the thread has taken from the queue and not run yet (see fire_due): their
  // ids and how many, guarded by mutex_; each one's fate, decided once by whichever comes first,
  // the thread about to run it or cancel() (under mutex_), so it is atomic.
  static constexpr std::size_t batch = 32;
  enum class fate : std::uint8_t { waiting, run, cancelled };
  std::uint64_t taken_ids_[batch] = {};
  std::size_t taken_ = 0;
  std::atomic<fate> taken_fates_[batch] = {};
  timer_callback taken_callbacks_[batch];  // the timer thread's only

  // -- the timer thread (last: stopped and joined before the members above are destroyed) --
  std::jthread thread_;
};

/// Virtual time for deterministic runs. The clock starts at `epoch` and moves only when the
/// owner calls advance() or advance_to(), which fire the due callbacks on the calling thread.
/// Not thread-safe: one thread drives it, and callbacks run on that thread (they may schedule
/// and cancel timers, and even advance the clock further).
class manual_timer_service final : public timer_service {
 public:
  /// Where the clock starts.
  static constexpr time_point epoch{};

  time_point now() const noexcept override { return now_; }
  timer_id schedule_at(time_point deadline, timer_callback callback) override;
  bool cancel(timer_id id) noexcept override;
  std::size_t pending() const noexcept override { return queue_.size(); }

  /// Moves the clock forward by `delay` (as advance_to(now() + delay)).
  void advance(duration delay);

  /// Fires, in deadline order, every timer due at or before `target`, including timers that
  /// those callbacks schedule within the window; while a callback runs, now() reads its
  /// deadline (or the current time, for an overdue timer). Then leaves the clock at `target`.
  /// The clock never moves back: a target in the past only fires overdue timers.
  void advance_to(time_point target);

  /// Returns the earliest pending deadline, if any: where advance_to() would fire next.
  std::optional<time_point> next_deadline() const noexcept { return queue_.next_deadline(); }

 private:
  detail::timer_queue queue_;
  time_point now_ = epoch;
};

}  // namespace thespis
