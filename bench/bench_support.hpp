// What the Thespis benchmarks share: how a row picks its system base, how it waits for a reply,
// and how it reports items/s and ns per item.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "core/thespis.hpp"

namespace bench {

/// How long a benchmark waits for a reply before it reports the row as failed.
inline constexpr std::chrono::seconds reply_timeout{60};

/// Returns the number of hardware threads (at least 1).
inline unsigned hardware_threads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Labels a row whose range(0) is a worker count (0: one per hardware thread) with the count
/// that actually runs, and returns range(0).
inline unsigned label_workers(benchmark::State& state) {
  const auto workers = static_cast<unsigned>(state.range(0));
  state.SetLabel(workers == 0 ? "all " + std::to_string(hardware_threads()) + " workers"
                              : std::to_string(workers) + " worker(s)");
  return workers;
}

/// Returns a threaded-base config for a row whose range(0) is the worker count (0: one per
/// hardware thread), labelled by label_workers().
inline thespis::system_config threaded_config(benchmark::State& state) {
  thespis::system_config config;
  config.workers = label_workers(state);
  return config;
}

/// Returns a simple-base config: everything runs on the benchmark's thread.
inline thespis::system_config simple_config() {
  thespis::system_config config;
  config.base = "simple";
  return config;
}

/// Asks `to` and returns the reply if it came in time and is an R. Unlike actor_system::ask<R>,
/// never throws for a reply of another type (a poison_message, say): the row reports it instead.
template <class R, class T>
std::optional<R> ask_for(thespis::actor_system& sys, const thespis::address& to, T&& msg) {
  auto reply = sys.ask(to, std::forward<T>(msg), reply_timeout);
  if (!reply) return std::nullopt;
  if (R* r = reply->template try_get<R>()) return std::move(*r);
  return std::nullopt;
}

/// Measures the wall time of a benchmark loop, for the ns-per-item counters. Start it right
/// before `for (auto _ : state)`.
class stopwatch {
 public:
  /// Returns the nanoseconds since construction.
  double elapsed_ns() const {
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// Reports `items_per_iteration` items per iteration (items/s) and the counter `ns_counter`
/// (wall nanoseconds per item). Does nothing for a row that failed.
inline void report_items(benchmark::State& state, std::int64_t items_per_iteration,
                         const char* ns_counter, const stopwatch& clock) {
  if (state.error_occurred() || state.iterations() == 0) return;
  const std::int64_t items = items_per_iteration * static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(items);
  state.counters[ns_counter] = clock.elapsed_ns() / static_cast<double>(items);
}

/// Returns the CPU time this process has used so far, in all its threads.
inline std::chrono::microseconds process_cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto to_us = [](const timeval& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
  };
  return to_us(usage.ru_utime) + to_us(usage.ru_stime);
}

}  // namespace bench
