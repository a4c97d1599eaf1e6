// idle_cpu: what an idle threaded system burns. After one message, the system has nothing to do
// for about a second; cpu_percent is the process's CPU time (user + sys, all threads) over that
// second, where 100 means one core kept busy. Then the actor must still wake for a message.

#include <chrono>
#include <thread>

#include "bench/bench_support.hpp"

namespace {

constexpr auto idle_time = std::chrono::seconds(1);

struct poke {};
struct poke_query {};
struct poke_count {
  int pokes;
};

class sleeper : public thespis::actor {
 public:
  sleeper() {
    handle([this](poke) { ++pokes_; });
    handle([this](poke_query, const thespis::address& from) {
      ++pokes_;
      send(from, poke_count{pokes_});
    });
  }

 private:
  int pokes_ = 0;
};

void idle_cpu(benchmark::State& state) {
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto target = sys.create_actor<sleeper>();
  for (auto _ : state) {
    sys.tell(target, poke{});
    const auto cpu_before = bench::process_cpu_time();
    const auto wall_before = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(idle_time);
    const auto cpu = bench::process_cpu_time() - cpu_before;
    const auto wall = std::chrono::steady_clock::now() - wall_before;
    state.counters["cpu_ms"] = std::chrono::duration<double, std::milli>(cpu).count();
    state.counters["cpu_percent"] = 100.0 * std::chrono::duration<double>(cpu).count() /
                                    std::chrono::duration<double>(wall).count();
    const auto woke = bench::ask_for<poke_count>(sys, target, poke_query{});
    if (!woke || woke->pokes != 2) {
      state.SkipWithError("idle_cpu: the actor did not wake for a message after idling");
      break;
    }
  }
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(idle_cpu)
    ->Name("idle_cpu/threaded")
    ->ArgName("workers")
    ->Arg(0)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
