// machine/core_to_core_round_trip: what moving one cache line between two cores and back costs
// right now; machine/single_core_chase: what one core's dependent loads through a few MiB cost
// right now. Not Thespis figures: readings of the machine, which scripts/bench takes before and
// after every workload and prints beside its row.
//
// Why: on the 2-vCPU cloud VM this suite was developed on, the host moves the vCPUs around. A
// 40 s trace of this round trip (every 20 ms) read ~50-100 ns most of the time, with episodes
// of ~300-400 ns lasting 0.1-1 s every few seconds. While one lasts, every workload whose
// threads talk (all of them at 2 workers, and fork_join_creation's outside creator at 1) runs
// two to four times slower, whatever the code. The readings before and after a run catch the
// longer episodes; the suite's median of 5 repetitions is what keeps a short one out of a row.
#include <atomic>
#include <cstdint>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include "bench/bench_support.hpp"

namespace {

// Pins the calling thread to one CPU, if there is such a CPU; best effort (a container may
// forbid it, and then the OS still spreads two busy threads over two CPUs).
void pin_to_cpu(unsigned cpu) {
  if (cpu >= std::thread::hardware_concurrency()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void core_to_core_round_trip(benchmark::State& state) {
  constexpr std::int64_t round_trips = 100'000;
  // The line the two threads hand back and forth: the initiator writes odd values, the
  // responder answers with the next even one.
  alignas(64) std::atomic<std::int64_t> ball{0};
  std::atomic<bool> stop{false};
  std::thread responder([&] {
    pin_to_cpu(1);
    std::int64_t expect = 1;
    // acquire/release on the ball: each store hands the line and the turn to the other side.
    while (true) {
      if (ball.load(std::memory_order_acquire) == expect) {
        ball.store(expect + 1, std::memory_order_release);
        expect += 2;
      } else if (stop.load(std::memory_order_relaxed)) {
        return;
      }
    }
  });
  // The benchmark thread goes back to its own CPUs afterwards: later rows run in this process.
  cpu_set_t own;
  const bool restore = pthread_getaffinity_np(pthread_self(), sizeof own, &own) == 0;
  pin_to_cpu(0);
  std::int64_t sent = 0;
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < round_trips; ++i) {
      ball.store(sent + 1, std::memory_order_release);
      sent += 2;
      while (ball.load(std::memory_order_acquire) != sent) {
      }
    }
  }
  bench::report_items(state, round_trips, "ns_per_round_trip", clock);
  stop.store(true, std::memory_order_relaxed);
  responder.join();
  if (restore) (void)pthread_setaffinity_np(pthread_self(), sizeof own, &own);
}

BENCHMARK(core_to_core_round_trip)->Name("machine/core_to_core_round_trip")->UseRealTime();

// Why a second probe: the host also slows a vCPU itself at times (a full run read counting at
// 28 instead of 23 ns and pipeline at 76 instead of 45 ns, with the round trip near). That hits
// rows whose threads hardly talk, and the round trip does not see it. This one core walks a
// random cycle through 4 MiB of pointers (past the L2, within the L3), a load that depends on
// the last each time: a fixed amount of work that reads the core's clock and its cache and
// memory latency, what the workloads' per-message costs are made of.
void single_core_chase(benchmark::State& state) {
  constexpr std::size_t slots = (4u << 20) / sizeof(std::uint32_t);
  constexpr std::int64_t hops = 1'000'000;
  // A single cycle through every slot, in an order fixed by the seed: the same walk every time.
  std::vector<std::uint32_t> order(slots);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937{42});
  std::vector<std::uint32_t> next(slots);
  for (std::size_t i = 0; i < slots; ++i)
    next[order[i]] = order[(i + 1) % slots];
  std::uint32_t at = order[0];
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < hops; ++i)
      at = next[at];
  }
  benchmark::DoNotOptimize(at);
  bench::report_items(state, hops, "ns_per_hop", clock);
}

BENCHMARK(single_core_chase)->Name("machine/single_core_chase")->UseRealTime();

}  // namespace
