// timers: the real-time timer service (one thread for every timer of a system). Rows:
//  - schedule_fire: 100,000 timers scheduled with deadlines scrambled over a 10 ms window
//    (while the timer thread already fires the first ones), until the last has fired; each
//    callback counts its own firing, and every timer must fire exactly once. items/s is timers
//    fired per second; ns_per_timer is schedule + fire, wall time;
//  - schedule_cancel: schedule one timer and cancel it again, with 100,000 timers pending (an
//    actor re-arming a wakeup it no longer needs); ns_per_pair includes the amortized heap
//    compaction that lazy cancellation pays for. Baseline: std::mutex + std::map keyed by
//    (deadline, id), the obvious ordered container, cancelling by key;
//  - idle: what 100,000 pending far-future timers burn while nothing is due (cpu_percent, where
//    100 means one core kept busy): the thread must sleep, not poll.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "bench/bench_support.hpp"
#include "scheduler/timer_service.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = thespis::timer_service::clock;

constexpr int timers = 100'000;
constexpr auto window = 10ms;  // schedule_fire: deadlines spread over this much time

// Returns `timers` offsets within `span`, in a scrambled but fixed order.
std::vector<clock_type::duration> scrambled_offsets(clock_type::duration span) {
  std::vector<clock_type::duration> offsets;
  offsets.reserve(timers);
  std::uint32_t lcg = 12345;
  for (int i = 0; i < timers; ++i) {
    lcg = lcg * 1664525u + 1013904223u;
    offsets.push_back(span * static_cast<std::int64_t>(lcg % timers) / timers);
  }
  return offsets;
}

// Counts fired timers; the benchmark's thread waits (boundedly) for the last one.
class completion {
 public:
  void arrive() {
    // release: pairs with the acquire in wait(), publishing the callback's own writes.
    if (fired_.fetch_add(1, std::memory_order_release) + 1 != timers) return;
    std::lock_guard lock(mutex_);
    done_.notify_one();
  }
  // Returns true if all `timers` fired within reply_timeout.
  bool wait() {
    std::unique_lock lock(mutex_);
    return done_.wait_for(lock, bench::reply_timeout,
                          [&] { return fired_.load(std::memory_order_acquire) == timers; });
  }
  void reset() { fired_.store(0, std::memory_order_relaxed); }

 private:
  std::atomic<int> fired_{0};
  std::mutex mutex_;
  std::condition_variable done_;
};

void schedule_fire(benchmark::State& state) {
  thespis::real_time_timer_service service;
  const auto offsets = scrambled_offsets(window);
  std::vector<std::uint32_t> fire_count(timers, 0);  // written on the timer thread only
  completion all_fired;
  std::uint32_t rounds = 0;
  bench::stopwatch clock;
  for (auto _ : state) {
    all_fired.reset();
    const auto base = service.now();
    for (int i = 0; i < timers; ++i) {
      service.schedule_at(base + offsets[i], [&fire_count, &all_fired, i] {
        ++fire_count[i];
        all_fired.arrive();
      });
    }
    ++rounds;
    const bool ok = all_fired.wait() && service.pending() == 0 &&
                    std::all_of(fire_count.begin(), fire_count.end(),
                                [rounds](std::uint32_t n) { return n == rounds; });
    if (!ok) {
      state.SkipWithError("timers/schedule_fire: a timer was lost or fired twice");
      break;
    }
  }
  bench::report_items(state, timers, "ns_per_timer", clock);
}

void schedule_cancel(benchmark::State& state) {
  thespis::real_time_timer_service service;
  for (int i = 0; i < timers; ++i)
    service.schedule_after(1h + std::chrono::microseconds(i), [] {});
  const auto offsets = scrambled_offsets(1s);
  bool ok = true;
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto base = service.now() + 1h;
    for (int i = 0; i < timers; ++i)
      ok &= service.cancel(service.schedule_at(base + offsets[i], [] {}));
  }
  if (!ok || service.pending() != timers) {
    state.SkipWithError("timers/schedule_cancel: a cancel failed");
  }
  bench::report_items(state, timers, "ns_per_pair", clock);
}

// The baseline for schedule_cancel: an ordered map under a mutex.
void schedule_cancel_mutex_map(benchmark::State& state) {
  using key = std::pair<clock_type::time_point, std::uint64_t>;
  std::mutex mutex;
  std::map<key, thespis::timer_callback> pending;
  std::uint64_t next_id = 1;
  const auto schedule = [&](clock_type::time_point deadline) {
    std::lock_guard lock(mutex);
    return pending.emplace(key{deadline, next_id++}, [] {}).first->first;
  };
  const auto cancel = [&](const key& k) {
    std::lock_guard lock(mutex);
    return pending.erase(k) == 1;
  };
  const auto now = clock_type::now();
  for (int i = 0; i < timers; ++i)
    schedule(now + 1h + std::chrono::microseconds(i));
  const auto offsets = scrambled_offsets(1s);
  bool ok = true;
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto base = clock_type::now() + 1h;
    for (int i = 0; i < timers; ++i)
      ok &= cancel(schedule(base + offsets[i]));
  }
  if (!ok || pending.size() != timers) state.SkipWithError("timers/schedule_cancel: lost a key");
  bench::report_items(state, timers, "ns_per_pair", clock);
}

void idle(benchmark::State& state) {
  thespis::real_time_timer_service service;
  for (int i = 0; i < timers; ++i)
    service.schedule_after(1h + std::chrono::microseconds(i), [] {});
  for (auto _ : state) {
    const auto cpu_before = bench::process_cpu_time();
    const auto wall_before = clock_type::now();
    std::this_thread::sleep_for(500ms);
    const auto cpu = bench::process_cpu_time() - cpu_before;
    const auto wall = clock_type::now() - wall_before;
    state.counters["cpu_percent"] = 100.0 * std::chrono::duration<double>(cpu).count() /
                                    std::chrono::duration<double>(wall).count();
  }
  if (service.pending() != timers) state.SkipWithError("timers/idle: a far-future timer fired");
}

BENCHMARK(schedule_fire)
    ->Name("timers/schedule_fire")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(schedule_cancel)
    ->Name("timers/schedule_cancel/timer_service")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(schedule_cancel_mutex_map)
    ->Name("timers/schedule_cancel/mutex_map")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(idle)->Name("timers/idle")->Iterations(1)->UseRealTime();

}  // namespace
