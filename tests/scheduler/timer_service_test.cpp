#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "scheduler/timer_service.hpp"

using namespace std::chrono_literals;
using thespis::manual_timer_service;
using thespis::real_time_timer_service;
using thespis::timer_callback;
using thespis::timer_id;

namespace {

// How long a test waits for the timer thread before it gives up and lets the checks fail.
constexpr auto patience = 30s;

// Values recorded by callbacks, in firing order; readable from any thread.
class recorder {
 public:
  // Notifies under the lock: once a waiter sees the value, this call no longer touches *this.
  void record(int value) {
    std::lock_guard lock(mutex_);
    values_.push_back(value);
    changed_.notify_all();
  }

  // Waits (boundedly) until at least n values are recorded, then returns them all.
  std::vector<int> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, patience, [&] { return values_.size() >= n; });
    return values_;
  }

  std::vector<int> values() {
    std::lock_guard lock(mutex_);
    return values_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> values_;
};

// A one-shot barrier with bounded waits: holds the timer thread inside a callback while a test
// schedules and cancels, so what fires does not depend on how fast the test thread runs.
class gate {
 public:
  void open() { set(open_); }
  void wait_open() { wait(open_); }
  void enter() { set(entered_); }
  void wait_entered() { wait(entered_); }

 private:
  void set(bool& flag) {
    std::lock_guard lock(mutex_);
    flag = true;
    changed_.notify_all();
  }
  void wait(const bool& flag) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, patience, [&] { return flag; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  bool entered_ = false;
};

// Runs the shared behaviour tests against a service: `run_until(r, n)` lets the scheduled
// timers fire and returns once n values are recorded (or patience ran out).
template <class Service>
struct driver;

template <>
struct driver<manual_timer_service> {
  std::vector<int> run_until(recorder& r, std::size_t n) {
    service.advance(1h);
    return r.wait_for(n);
  }
  manual_timer_service service;
};

// The timer thread is held in a gate callback until run_until(), so every timer the test
// schedules meanwhile is pending at once, however late the test thread runs.
template <>
struct driver<real_time_timer_service> {
  driver() {
    service.schedule_at(service.now(), [this] {
      held.enter();
      held.wait_open();
    });
    held.wait_entered();
  }
  ~driver() { held.open(); }
  std::vector<int> run_until(recorder& r, std::size_t n) {
    held.open();
    return r.wait_for(n);
  }
  gate held;
  real_time_timer_service service;
};

}  // namespace

// -- behaviour every timer service has -------------------------------------------------------

TEMPLATE_TEST_CASE("timers fire in deadline order", "", manual_timer_service,
                   real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  const auto base = d.service.now();
  for (int ms : {30, 10, 20, 0, 40})
    d.service.schedule_at(base + std::chrono::milliseconds(ms), [&r, ms] { r.record(ms); });
  CHECK(d.service.pending() == 5);
  CHECK(d.run_until(r, 5) == std::vector<int>{0, 10, 20, 30, 40});
  CHECK(d.service.pending() == 0);
}

TEMPLATE_TEST_CASE("timers with equal deadlines fire in the order they were scheduled", "",
                   manual_timer_service, real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  const auto deadline = d.service.now() + 5ms;
  std::vector<int> expected;
  for (int i = 0; i < 50; ++i) {
    d.service.schedule_at(deadline, [&r, i] { r.record(i); });
    expected.push_back(i);
  }
  CHECK(d.run_until(r, 50) == expected);
}

TEMPLATE_TEST_CASE("cancelled timers never fire", "", manual_timer_service,
                   real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  const auto base = d.service.now();
  d.service.schedule_at(base + 10ms, [&r] { r.record(1); });
  const timer_id doomed = d.service.schedule_at(base + 20ms, [&r] { r.record(2); });
  d.service.schedule_at(base + 30ms, [&r] { r.record(3); });  // fires after the doomed one would

  CHECK(d.service.cancel(doomed));
  CHECK_FALSE(d.service.cancel(doomed));  // cancelling twice
  CHECK(d.service.pending() == 2);
  CHECK(d.run_until(r, 2) == std::vector<int>{1, 3});
  CHECK(d.service.pending() == 0);
}

TEMPLATE_TEST_CASE("cancelling a timer that already fired returns false", "", manual_timer_service,
                   real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  const timer_id id = d.service.schedule_after(1ms, [&r] { r.record(1); });
  CHECK(d.run_until(r, 1) == std::vector<int>{1});
  CHECK_FALSE(d.service.cancel(id));
  CHECK_FALSE(d.service.cancel(timer_id{}));  // never issued
}

TEMPLATE_TEST_CASE("a callback can schedule and cancel other timers", "", manual_timer_service,
                   real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  auto& service = d.service;
  const auto base = service.now();
  timer_id tied{};
  timer_id later{};
  timer_id far{};
  std::atomic<int> cancels{0};
  service.schedule_at(base + 10ms, [&] {
    r.record(1);
    // Cancels a timer due at the same instant (it fires next otherwise) and a later one...
    if (service.cancel(tied)) cancels.fetch_add(1, std::memory_order_relaxed);
    if (service.cancel(later)) cancels.fetch_add(1, std::memory_order_relaxed);
    // ...and schedules one due before the remaining timer, and one far in the future.
    service.schedule_at(base + 15ms, [&r] { r.record(15); });
    far = service.schedule_after(1h, [&r] { r.record(99); });
  });
  tied = service.schedule_at(base + 10ms, [&r] { r.record(10); });
  later = service.schedule_at(base + 20ms, [&r] { r.record(20); });
  service.schedule_at(base + 30ms, [&r] { r.record(30); });

  CHECK(d.run_until(r, 3) == std::vector<int>{1, 15, 30});
  // relaxed is enough: the recorder's mutex orders the callback before wait_for returns.
  CHECK(cancels.load(std::memory_order_relaxed) == 2);
  CHECK(service.pending() == 1);  // `far`
  CHECK(service.cancel(far));
  CHECK(service.pending() == 0);
}

TEMPLATE_TEST_CASE("timer ids are unique and never zero", "", manual_timer_service,
                   real_time_timer_service) {
  driver<TestType> d;
  std::set<timer_id> ids;
  for (int i = 0; i < 1000; ++i) {
    const timer_id id = d.service.schedule_after(1h, [] {});
    CHECK(id != timer_id{});
    ids.insert(id);
    if (i % 2 == 0) CHECK(d.service.cancel(id));  // cancelled ids are not handed out again
  }
  CHECK(ids.size() == 1000);
}

TEMPLATE_TEST_CASE("a stale id does not cancel a later timer", "", manual_timer_service,
                   real_time_timer_service) {
  recorder r;  // outlives the service, whose thread calls it
  driver<TestType> d;
  const timer_id first = d.service.schedule_after(1ms, [&r] { r.record(1); });
  const timer_id cancelled = d.service.schedule_after(1h, [] {});
  CHECK(d.service.cancel(cancelled));
  CHECK(d.run_until(r, 1) == std::vector<int>{1});
  // New timers may reuse the storage of the fired and the cancelled one: their ids differ.
  const timer_id second = d.service.schedule_after(1h, [] {});
  const timer_id third = d.service.schedule_after(1h, [] {});
  CHECK_FALSE(d.service.cancel(first));
  CHECK_FALSE(d.service.cancel(cancelled));
  CHECK(d.service.pending() == 2);
  CHECK(d.service.cancel(second));
  CHECK(d.service.cancel(third));
}

// -- manual_timer_service --------------------------------------------------------------------

TEST_CASE("a manual timer service fires nothing until it is advanced") {
  manual_timer_service service;
  recorder r;
  CHECK(service.now() == manual_timer_service::epoch);
  service.schedule_after(0ms, [&r] { r.record(0); });
  service.schedule_at(service.now() - 1s, [&r] { r.record(-1); });  // overdue already
  service.schedule_after(5ms, [&r] { r.record(5); });
  std::this_thread::sleep_for(20ms);  // real time passing changes nothing
  CHECK(r.values().empty());
  CHECK(service.now() == manual_timer_service::epoch);
  CHECK(service.pending() == 3);

  service.advance(0ms);  // fires the overdue and the due-now, in deadline order
  CHECK(r.values() == std::vector<int>{-1, 0});
  CHECK(service.now() == manual_timer_service::epoch);
}

TEST_CASE("advancing a manual timer service fires exactly the due timers, in order") {
  manual_timer_service service;
  recorder r;
  std::vector<manual_timer_service::time_point> seen_now;
  for (int ms : {50, 10, 30, 20, 40}) {
    service.schedule_after(std::chrono::milliseconds(ms), [&, ms] {
      r.record(ms);
      seen_now.push_back(service.now());
    });
  }
  service.advance(25ms);
  CHECK(r.values() == std::vector<int>{10, 20});
  CHECK(service.now() == manual_timer_service::epoch + 25ms);
  CHECK(service.next_deadline() == manual_timer_service::epoch + 30ms);

  service.advance_to(manual_timer_service::epoch + 40ms);  // a deadline on the target fires
  CHECK(r.values() == std::vector<int>{10, 20, 30, 40});
  CHECK(service.pending() == 1);

  service.advance_to(manual_timer_service::epoch);  // the past: the clock does not move back
  CHECK(service.now() == manual_timer_service::epoch + 40ms);
  CHECK(r.values().size() == 4);

  service.advance(1h);
  CHECK(r.values() == std::vector<int>{10, 20, 30, 40, 50});
  // Each callback saw its own deadline as now().
  const auto e = manual_timer_service::epoch;
  CHECK(seen_now == std::vector{e + 10ms, e + 20ms, e + 30ms, e + 40ms, e + 50ms});
  CHECK(service.now() == e + 40ms + 1h);
}

TEST_CASE("timers scheduled by callbacks within the advanced window fire in the same advance") {
  manual_timer_service service;
  recorder r;
  service.schedule_after(10ms, [&] {
    r.record(10);
    service.schedule_after(5ms, [&r] { r.record(15); });     // due at 15 ms, before the 20 ms one
    service.schedule_after(0ms, [&r] { r.record(11); });     // due now: fires right after
    service.schedule_after(100ms, [&r] { r.record(110); });  // beyond the window
  });
  service.schedule_after(20ms, [&r] { r.record(20); });
  service.advance(30ms);
  CHECK(r.values() == std::vector<int>{10, 11, 15, 20});
  CHECK(service.pending() == 1);
  CHECK(service.now() == manual_timer_service::epoch + 30ms);
  CHECK(service.next_deadline() == manual_timer_service::epoch + 110ms);
}

TEST_CASE("a delay too large to represent never fires") {
  manual_timer_service service;
  bool fired = false;
  service.schedule_after(manual_timer_service::duration::max(), [&] { fired = true; });
  CHECK(service.next_deadline() == manual_timer_service::time_point::max());
  service.advance(24h * 365);
  CHECK_FALSE(fired);
}

TEST_CASE("a timer callback owns move-only captures and destroys them exactly once") {
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> watch = token;
  manual_timer_service service;
  int seen = 0;
  // Small and move-only: stored inline. Large: stored on the heap.
  service.schedule_after(1ms, [&seen, p = std::make_unique<int>(3)] { seen += *p; });
  std::array<std::uint64_t, 16> bulk{};
  bulk[15] = 4;
  service.schedule_after(
      2ms, [&seen, bulk, t = std::move(token)] { seen += static_cast<int>(bulk[15]) + *t; });
  timer_callback moved = [&seen] { seen += 100; };
  timer_callback target = std::move(moved);
  CHECK_FALSE(moved);
  service.schedule_after(3ms, std::move(target));
  service.advance(10ms);
  CHECK(seen == 3 + 4 + 7 + 100);
  CHECK(watch.expired());  // the fired callback was destroyed
}

// -- real_time_timer_service -----------------------------------------------------------------

TEST_CASE("100,000 pending timers with half cancelled resolve exactly") {
  constexpr int timers = 100'000;
  std::vector<std::uint8_t> fire_count(timers, 0);  // written by the timer thread only
  std::vector<int> fired_deadlines;                 // likewise, in firing order (µs offsets)
  fired_deadlines.reserve(timers / 2);
  std::atomic<int> fired{0};
  std::vector<timer_id> ids(timers);
  int cancelled = 0;
  std::size_t pending_after_cancel = 0;
  {
    driver<real_time_timer_service> d;
    auto& service = d.service;
    const auto base = service.now();
    std::uint32_t lcg = 12345;  // deadlines spread over 100 ms, in scrambled order
    for (int i = 0; i < timers; ++i) {
      lcg = lcg * 1664525u + 1013904223u;
      const int us = static_cast<int>(lcg % 100'000);
      ids[i] = service.schedule_at(base + std::chrono::microseconds(us), [&, i, us] {
        ++fire_count[i];
        fired_deadlines.push_back(us);
        // release: pairs with the acquire loads below, publishing the two writes above.
        fired.fetch_add(1, std::memory_order_release);
      });
    }
    CHECK(service.pending() == timers);
    for (int i = 1; i < timers; i += 2)
      cancelled += service.cancel(ids[i]) ? 1 : 0;
    pending_after_cancel = service.pending();

    d.held.open();  // let the timer thread go
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (fired.load(std::memory_order_acquire) < timers / 2 &&
           std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(1ms);
    CHECK(service.pending() == 0);
  }  // the service is gone: its thread joined, so nothing fires later

  CHECK(cancelled == timers / 2);
  CHECK(pending_after_cancel == timers / 2);
  CHECK(fired.load(std::memory_order_acquire) == timers / 2);
  int wrong = 0;
  for (int i = 0; i < timers; ++i)
    wrong += fire_count[i] != (i % 2 == 0 ? 1 : 0) ? 1 : 0;
  CHECK(wrong == 0);
  CHECK(std::is_sorted(fired_deadlines.begin(), fired_deadlines.end()));
}

TEST_CASE("a due timer cancelled from another thread while an earlier one runs never fires") {
  recorder r;
  gate running;  // the first timer's callback has started, and waits to be let go
  driver<real_time_timer_service> d;
  auto& service = d.service;
  const auto due = service.now();
  service.schedule_at(due, [&] {
    running.enter();
    running.wait_open();
    r.record(0);
  });
  std::vector<timer_id> ids;
  for (int i = 1; i <= 8; ++i)
    ids.push_back(service.schedule_at(due, [&r, i] { r.record(i); }));
  d.held.open();
  running.wait_entered();
  CHECK(service.pending() == 8);
  CHECK(service.cancel(ids[4]));  // the fifth: due, and next but four to fire
  CHECK_FALSE(service.cancel(ids[4]));
  CHECK(service.pending() == 7);
  running.open();
  CHECK(r.wait_for(8) == std::vector<int>{0, 1, 2, 3, 4, 6, 7, 8});
}

// The timer thread takes due timers from the queue a batch at a time; a cancel() that races
// with the firing, from another thread, must still give one answer per timer: it fired (and
// cancel returned false) or cancel returned true (and it never fires).
TEST_CASE(
    "a timer cancelled while due timers are firing either fires or is cancelled, never both") {
  constexpr int timers = 20'000;
  std::vector<std::atomic<int>> fire_count(timers);
  std::vector<timer_id> ids(timers);
  std::vector<bool> cancelled(timers, false);
  {
    driver<real_time_timer_service> d;
    auto& service = d.service;
    const auto due = service.now();  // all due at once: the thread fires them back to back
    for (int i = 0; i < timers; ++i) {
      // relaxed: read after the service (and its thread) is gone, which orders everything.
      ids[i] = service.schedule_at(
          due, [&fire_count, i] { fire_count[i].fetch_add(1, std::memory_order_relaxed); });
    }
    d.held.open();  // the thread fires while this one cancels, earliest last
    for (int i = timers - 1; i >= 0; i -= 3)
      cancelled[i] = service.cancel(ids[i]);
    // Then every timer not cancelled fires before the service goes (it would drop them).
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (service.pending() != 0 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(1ms);
  }  // the service is gone: its thread joined, so nothing fires later
  int wrong = 0;
  for (int i = 0; i < timers; ++i)
    wrong += fire_count[i].load(std::memory_order_relaxed) != (cancelled[i] ? 0 : 1) ? 1 : 0;
  CHECK(wrong == 0);
}

TEST_CASE("destroying a real-time timer service drops its pending timers unfired") {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  std::atomic<int> fired{0};
  {
    real_time_timer_service service;
    for (int i = 0; i < 1000; ++i)
      service.schedule_after(1h + std::chrono::milliseconds(i),
                             [&fired, token] { fired.fetch_add(1, std::memory_order_relaxed); });
    token.reset();
    CHECK(service.pending() == 1000);
  }  // returns promptly: the sleeping thread wakes on the stop request (or the test times out)
  CHECK(fired.load(std::memory_order_relaxed) == 0);
  CHECK(watch.expired());  // every callback was destroyed
}

TEST_CASE("a real-time timer service runs callbacks on its own thread") {
  recorder r;
  real_time_timer_service service;
  std::thread::id timer_thread;
  service.schedule_after(1ms, [&] {
    timer_thread = std::this_thread::get_id();
    r.record(1);
  });
  CHECK(r.wait_for(1).size() == 1);
  CHECK(timer_thread != std::this_thread::get_id());
}
