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

[[maybe_unused]] const bool registered = bench::register_idle_memory_rows("thespis");

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
