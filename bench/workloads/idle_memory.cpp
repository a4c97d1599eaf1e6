// idle_memory: what an idle actor costs. Creates 100,000 (then 1,000,000) actors that wait for a
// message that never comes, and reports the RSS growth per actor, then how much of it the process
// gives back once they have exited. Each row measures in a fresh process (see suite.hpp).
// idle_memory_timer_100k: the same with one wakeup pending per actor, an hour away.
#include <chrono>
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

class idle_actor : public thespis::actor {};

class idle_actor_with_timer : public thespis::actor {
 public:
  idle_actor_with_timer() { wakeup_after(std::chrono::hours(1)); }
};

void run(benchmark::State& state, std::int64_t actors,
         bench::idle_kind kind = bench::idle_kind::plain) {
  bench::label_workers(state);
  bench::idle_memory rss;
  for (auto _ : state) {
    if (!bench::measure_idle_memory_in_child(actors, bench::workers_of(state), kind, rss)) {
      bench::fail(state, "idle_memory: actors were not all created, or did not all exit");
      break;
    }
  }
  bench::report_idle_memory(state, actors, rss);
}

void run_small(benchmark::State& state) {
  run(state, bench::size("idle_memory.small_actors", 100'000, 1'000));
}
void run_large(benchmark::State& state) {
  run(state, bench::size("idle_memory.large_actors", 1'000'000, 2'000));
}
void run_with_timer(benchmark::State& state) {
  run(state, bench::size("idle_memory.small_actors", 100'000, 1'000), bench::idle_kind::with_timer);
}

[[maybe_unused]] auto* const small =
    bench::register_workload("thespis/idle_memory_100k", run_small) -> Iterations(1);
[[maybe_unused]] auto* const large =
    bench::register_workload("thespis/idle_memory_1m", run_large) -> Iterations(1);
[[maybe_unused]] auto* const with_timer =
    bench::register_workload("thespis/idle_memory_timer_100k", run_with_timer) -> Iterations(1);

}  // namespace

namespace bench {

bool measure_idle_memory_here(std::int64_t actors, unsigned workers, idle_kind kind,
                              idle_memory& rss) {
  thespis::actor_system sys{thespis::system_config{.workers = workers}};
  // Every address slot is written before the first measurement, so the vector is not counted.
  std::vector<thespis::address> idle(static_cast<std::size_t>(actors), thespis::address{});
  rss.before = sample_memory();
  for (auto& a : idle) {
    a = kind == idle_kind::with_timer ? sys.create_actor<idle_actor_with_timer>()
                                      : sys.create_actor<idle_actor>();
  }
  rss.all_alive = sample_memory();
  const bool all_alive = sys.live_actor_count() == idle.size();
  for (const auto& a : idle)
    sys.tell(a, thespis::actor_exit_request{});
  const bool all_gone = wait_for_live_actors(sys, 0, idle_exit_timeout);
  idle.clear();  // the last references: the actors' cells may go now
  rss.after_exit = sample_memory();
  return all_alive && all_gone;
}

}  // namespace bench
