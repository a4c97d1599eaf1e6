// timers: wakeups delivered per second while 100,000 are pending. One actor arms `wakeups`
// wakeups with delays scrambled over a 10 ms window and counts them as they arrive; every one
// must arrive exactly once. ns_per_wakeup is arm + deliver, wall time.
#include <chrono>
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

using namespace std::chrono_literals;

constexpr auto window = 10ms;

struct arm {
  std::int64_t wakeups;
};
struct all_woken {
  std::int64_t wakeups;
  bool each_once;
};

class sleeper : public thespis::actor {
 public:
  sleeper() {
    handle([this](const arm& a, const thespis::address& from) {
      client_ = from;
      seen_.assign(static_cast<std::size_t>(a.wakeups), false);
      woken_ = 0;
      each_once_ = true;
      std::uint32_t lcg = 12345;
      for (std::int64_t i = 0; i < a.wakeups; ++i) {
        lcg = lcg * 1664525u + 1013904223u;
        wakeup_after(window * (lcg % 1024) / 1024, i);
      }
    });
    handle([this](thespis::wakeup_message& w) {
      const std::int64_t i = w.payload.get<std::int64_t>();
      each_once_ = each_once_ && !seen_[static_cast<std::size_t>(i)];
      seen_[static_cast<std::size_t>(i)] = true;
      if (++woken_ == static_cast<std::int64_t>(seen_.size()))
        send(client_, all_woken{woken_, each_once_});
    });
  }

 private:
  thespis::address client_;
  std::vector<bool> seen_;
  std::int64_t woken_ = 0;
  bool each_once_ = true;
};

void run(benchmark::State& state) {
  const std::int64_t wakeups = bench::size("timers.wakeups", 100'000, 1'000);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto target = sys.create_actor<sleeper>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<all_woken>(sys, target, arm{wakeups});
    if (!done || done->wakeups != wakeups || !done->each_once) {
      bench::fail(state, "timers: a wakeup was lost or delivered twice");
      break;
    }
  }
  bench::report_items(state, wakeups, "ns_per_wakeup", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/timers", run);

}  // namespace
