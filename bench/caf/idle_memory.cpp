// idle_memory in CAF: the peer of workloads/idle_memory.cpp. Idle actors are spawned from the
// benchmark's thread and later sent an exit; with a timer, each sends itself a delayed message
// an hour away as it starts.
#include <chrono>
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

// Waits for a message that never comes.
caf::behavior idle_actor() {
  return {[](go_atom) {}};
}

caf::behavior idle_actor_with_timer(caf::event_based_actor* self) {
  self->delayed_send(self, std::chrono::hours(1), tick_atom::value);
  return {[](go_atom) {}, [](tick_atom) {}};
}

void run(benchmark::State& state, std::int64_t actors,
         bench::idle_kind kind = bench::idle_kind::plain) {
  bench::idle_memory rss;
  for (auto _ : state) {
    if (!bench::measure_idle_memory_in_child(actors, bench::workers_of(state), kind, rss)) {
      bench::fail(state, "caf/idle_memory: actors were not all spawned, or did not all quit");
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
    bench::register_workload("caf/idle_memory_100k", run_small) -> Iterations(1);
[[maybe_unused]] auto* const large =
    bench::register_workload("caf/idle_memory_1m", run_large) -> Iterations(1);
[[maybe_unused]] auto* const with_timer =
    bench::register_workload("caf/idle_memory_timer_100k", run_with_timer) -> Iterations(1);

}  // namespace

namespace bench {

bool measure_idle_memory_here(std::int64_t actors, unsigned workers, idle_kind kind,
                              idle_memory& rss) {
  caf_peer::worker_config config{workers};
  caf::actor_system sys{config};
  const std::size_t running_before = sys.registry().running();
  // Every handle slot is written before the first measurement, so the vector is not counted.
  std::vector<caf::actor> idle(static_cast<std::size_t>(actors), caf::actor{});
  rss.before = sample_memory();
  for (auto& a : idle)
    a = kind == idle_kind::with_timer ? sys.spawn(idle_actor_with_timer) : sys.spawn(idle_actor);
  rss.all_alive = sample_memory();
  const bool all_alive = sys.registry().running() == running_before + idle.size();
  for (const auto& a : idle)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  const bool all_gone = caf_peer::wait_for_running(sys, running_before, idle_exit_timeout);
  std::fill(idle.begin(), idle.end(), caf::actor{});  // the last references
  rss.after_exit = sample_memory();
  return all_alive && all_gone;
}

}  // namespace bench
