// What every benchmark binary of the suite shares, whichever actor system it measures: workload
// sizes (Savina's defaults, overridable, tiny in smoke mode), the worker counts a workload runs
// at, how a wrong result fails the run, and how a row reports ns per item and items/s.
// Knows nothing of Thespis, so the peers (CAF, oneTBB) use it too.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <thread>

namespace bench {

// -- run settings (set by suite_main.cpp before any row runs) ------------------------------

/// True in smoke mode: every workload runs once at a tiny size and checks its result only.
inline bool smoke_mode = false;

/// Sizes given with --size NAME=VALUE, by workload parameter name.
inline std::map<std::string, std::int64_t, std::less<>> size_overrides;

/// Returns the size of workload parameter `name` ("ping_pong.pings"): a --size flag, else the
/// environment variable THESPIS_BENCH_<NAME> (upper case, '.' as '_'), else `smoke` in smoke
/// mode, else `savina` (the paper's default). Call while a row runs, not at registration.
inline std::int64_t size(std::string_view name, std::int64_t savina, std::int64_t smoke) {
  if (auto it = size_overrides.find(name); it != size_overrides.end()) return it->second;
  std::string variable = "THESPIS_BENCH_";
  for (char c : name)
    variable += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* value = std::getenv(variable.c_str())) return std::atoll(value);
  return smoke_mode ? smoke : savina;
}

// -- registration -------------------------------------------------------------------------

/// Returns the number of hardware threads (at least 1).
inline unsigned hardware_threads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Registers a workload row under `name` ("thespis/ping_pong") at 1 worker and at one worker
/// per hardware thread; the row reads its worker count from state.range(0). Wall time, in ms.
inline benchmark::internal::Benchmark* register_workload(const std::string& name,
                                                         void (*run)(benchmark::State&)) {
  auto* row = benchmark::RegisterBenchmark(name.c_str(), run);
  row->ArgName("workers")->Arg(1);
  if (hardware_threads() > 1) row->Arg(hardware_threads());
  return row->UseRealTime()->Unit(benchmark::kMillisecond);
}

/// Returns the worker count of a row registered by register_workload().
inline unsigned workers_of(const benchmark::State& state) {
  return static_cast<unsigned>(state.range(0));
}

/// Labels a row whose range(0) is a worker count (0: one per hardware thread) with the count
/// that actually runs, and returns range(0).
inline unsigned label_workers(benchmark::State& state) {
  const auto workers = static_cast<unsigned>(state.range(0));
  state.SetLabel(workers == 0 ? "all " + std::to_string(hardware_threads()) + " workers"
                              : std::to_string(workers) + " worker(s)");
  return workers;
}

// -- results ------------------------------------------------------------------------------

/// How many rows failed their own check; the binary exits non-zero if any did.
inline std::atomic<int> failures{0};

/// Fails the row loudly: the report shows `why`, and the binary's exit status is non-zero.
/// `why` must be a string literal. Leave the benchmark loop right after.
inline void fail(benchmark::State& state, const char* why) {
  std::fprintf(stderr, "FAILED: %s\n", why);
  failures.fetch_add(1, std::memory_order_relaxed);
  state.SkipWithError(why);
}

/// How long a workload waits for its result before it reports the row as failed.
inline constexpr std::chrono::seconds reply_timeout{120};
/// How long idle_memory waits for its million actors to exit. Their exit is not what the row
/// measures, and on a slow stretch of the host CAF's took longer than reply_timeout at 2 workers
/// (the suite at bda896b: 25 s median, one repetition past 120 s).
inline constexpr std::chrono::seconds idle_exit_timeout{600};

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

/// Reports `items_per_iteration` items per iteration (items_per_second) and the counter
/// `ns_counter` (wall nanoseconds per item). Does nothing for a row that failed.
inline void report_items(benchmark::State& state, std::int64_t items_per_iteration,
                         const char* ns_counter, const stopwatch& clock) {
  if (state.error_occurred() || state.iterations() == 0) return;
  const std::int64_t items = items_per_iteration * static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(items);
  state.counters[ns_counter] = clock.elapsed_ns() / static_cast<double>(items);
}

// -- process measurements -----------------------------------------------------------------

/// Returns the process's resident set size in bytes (from /proc/self/statm), or 0 if unknown.
inline std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t total_pages = 0;
  std::int64_t resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
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

/// The process's resident memory at one moment of a memory row. RSS only: glibc's heap
/// statistics (mallinfo2) miss memory a runtime maps itself (Thespis's slabs, for one).
struct memory_sample {
  std::int64_t rss = 0;
};

/// Returns the process's memory now.
inline memory_sample sample_memory() {
  return {resident_bytes()};
}

/// Memory at the three moments of a memory-per-idle-actor row.
struct idle_memory {
  memory_sample before;      ///< before the actors were created
  memory_sample all_alive;   ///< with every actor created and idle
  memory_sample after_exit;  ///< once every actor has exited
};

/// What each actor of a memory row does while measured: only waits, or waits with one timer
/// pending (an hour away, as a timeout or a retire-on-idle check would be): what a system keeps
/// per pending timer on top of the actor.
enum class idle_kind { plain, with_timer };

/// Measures idle memory in this process: creates `actors` idle actors of `kind` on a system
/// with `workers` workers, then makes them exit. Returns false if the actors were not all
/// alive, or not all gone, when expected. Defined once per binary, by the system it measures.
bool measure_idle_memory_here(std::int64_t actors, unsigned workers, idle_kind kind,
                              idle_memory& rss);

/// Runs measure_idle_memory_here() in a fresh copy of this binary (suite_main.cpp's
/// --idle-memory-child mode): RSS growth is only meaningful in a process whose allocator has
/// not yet cached memory from earlier rows. Returns false if the child failed.
inline bool measure_idle_memory_in_child(std::int64_t actors, unsigned workers, idle_kind kind,
                                         idle_memory& rss) {
  const std::string command = "/proc/" + std::to_string(getpid()) + "/exe --idle-memory-child " +
                              std::to_string(actors) + " " + std::to_string(workers) +
                              (kind == idle_kind::with_timer ? " timer" : " plain");
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) return false;
  long long v[3] = {};
  const bool read = std::fscanf(child, "%lld %lld %lld", &v[0], &v[1], &v[2]) == 3;
  const bool ok = pclose(child) == 0 && read;
  rss = idle_memory{{v[0]}, {v[1]}, {v[2]}};
  return ok;
}

/// Returns how much of the growth from `before` to `peak` was gone again at `after`, in percent.
inline double percent_given_back(std::int64_t before, std::int64_t peak, std::int64_t after) {
  const double grown = static_cast<double>(peak - before);
  return grown > 0 ? 100.0 * static_cast<double>(peak - after) / grown : 0.0;
}

/// Reports bytes_per_actor (RSS growth over `actors`) and returned_pct (how much of the RSS
/// growth the process gave back to the system once the actors exited: the allocator's policy as
/// much as the runtime's).
inline void report_idle_memory(benchmark::State& state, std::int64_t actors, const idle_memory& m) {
  if (state.error_occurred()) return;
  const auto per_actor = [actors](std::int64_t grown) {
    return static_cast<double>(grown) / static_cast<double>(actors);
  };
  state.counters["bytes_per_actor"] = per_actor(m.all_alive.rss - m.before.rss);
  state.counters["returned_pct"] =
      percent_given_back(m.before.rss, m.all_alive.rss, m.after_exit.rss);
}

/// Runs one memory row: `actors` idle actors of `kind`, measured in a fresh process.
inline void run_idle_memory_row(benchmark::State& state, std::int64_t actors, idle_kind kind) {
  label_workers(state);
  idle_memory rss;
  for (auto _ : state) {
    if (!measure_idle_memory_in_child(actors, workers_of(state), kind, rss)) {
      fail(state, "idle_memory: actors were not all created, or did not all exit");
      break;
    }
  }
  report_idle_memory(state, actors, rss);
}

/// Registers the memory rows of `system` (the rows' name prefix): 100,000 and 1,000,000 idle
/// actors, and 100,000 with one timer pending each. Each binary defines what an idle actor is
/// (measure_idle_memory_here); the rows and their sizes are the same for every system.
inline bool register_idle_memory_rows(const std::string& system) {
  register_workload(system + "/idle_memory_100k", [](benchmark::State& state) {
    run_idle_memory_row(state, size("idle_memory.small_actors", 100'000, 1'000), idle_kind::plain);
  })->Iterations(1);
  register_workload(system + "/idle_memory_1m", [](benchmark::State& state) {
    run_idle_memory_row(state, size("idle_memory.large_actors", 1'000'000, 2'000),
                        idle_kind::plain);
  })->Iterations(1);
  register_workload(system + "/idle_memory_timer_100k", [](benchmark::State& state) {
    run_idle_memory_row(state, size("idle_memory.small_actors", 100'000, 1'000),
                        idle_kind::with_timer);
  })->Iterations(1);
  return true;
}

}  // namespace bench
