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

[[maybe_unused]] const bool registered = bench::register_idle_memory_rows("caf");

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
