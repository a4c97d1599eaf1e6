// tbb_task_cost: what one oneTBB task costs, in a pool shaped like tbb_scheduler's (`workers`
// threads, global_control raised to workers + 1, no slot reserved for outside threads). This is
// the figure that tells whether the pool's per-task cost dominates an actor activation:
//  - run: task_group::run from inside the arena, then wait (spawn + execute), as tbb_scheduler
//    does for a second receiver scheduled from a worker;
//  - enqueue: task_arena::enqueue(task_group::defer(...)) from a thread outside the arena, then
//    wait, as tbb_scheduler does for every actor woken or created from outside the pool (and,
//    from inside, for every actor that spent its message budget).
// Each task only bumps a relaxed atomic counter, to prove it ran; ns_per_task = wall time / N.
//
// Each row runs on a thread of its own. oneTBB keeps a task-object pool per thread, and objects
// freed by other threads come back to it: after the benchmark's main thread has created 100k
// top-level actors (one enqueued task each, run and freed by a worker), its pool hands out cold,
// scattered objects and spawning from it costs about 4x more. A fresh thread measures oneTBB
// itself, whatever ran before.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "bench/bench_support.hpp"

namespace {

constexpr std::uint64_t tasks = 100'000;  // per iteration

struct pool {
  explicit pool(unsigned workers)
      : parallelism(tbb::global_control::max_allowed_parallelism, workers + 1),
        arena(static_cast<int>(workers), /*reserved_for_masters=*/0) {}

  tbb::global_control parallelism;
  tbb::task_arena arena;
  tbb::task_group group;
  std::atomic<std::uint64_t> executed{0};
};

// Returns the pool size of a row whose range(0) is a worker count (0: one per hardware thread).
unsigned workers_of(benchmark::State& state) {
  const unsigned workers = bench::label_workers(state);
  return workers == 0 ? bench::hardware_threads() : workers;
}

void run_tasks(benchmark::State& state) {
  pool p(workers_of(state));
  const auto task = [&p] { p.executed.fetch_add(1, std::memory_order_relaxed); };
  bench::stopwatch clock;
  for (auto _ : state) {
    p.executed.store(0, std::memory_order_relaxed);
    p.arena.execute([&] {
      for (std::uint64_t i = 0; i < tasks; ++i)
        p.group.run(task);
      p.group.wait();
    });
    // relaxed is enough: wait() returning orders every task's increment before this load.
    if (p.executed.load(std::memory_order_relaxed) != tasks) {
      state.SkipWithError("tbb_task_cost: not every task ran");
      break;
    }
  }
  bench::report_items(state, tasks, "ns_per_task", clock);
}

void enqueue_tasks(benchmark::State& state) {
  pool p(workers_of(state));
  const auto task = [&p] { p.executed.fetch_add(1, std::memory_order_relaxed); };
  bench::stopwatch clock;
  for (auto _ : state) {
    p.executed.store(0, std::memory_order_relaxed);
    for (std::uint64_t i = 0; i < tasks; ++i)
      p.arena.enqueue(p.group.defer(task));
    p.arena.execute([&] { p.group.wait(); });
    if (p.executed.load(std::memory_order_relaxed) != tasks) {
      state.SkipWithError("tbb_task_cost: not every task ran");
      break;
    }
  }
  bench::report_items(state, tasks, "ns_per_task", clock);
}

// Runs a row's whole benchmark loop on a new thread (see the top of the file).
template <void (*Row)(benchmark::State&)>
void on_fresh_thread(benchmark::State& state) {
  std::jthread([&state] { Row(state); }).join();
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(on_fresh_thread<run_tasks>)
    ->Name("tbb_task_cost/run")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(on_fresh_thread<enqueue_tasks>)
    ->Name("tbb_task_cost/enqueue")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();

}  // namespace
