// ask: the round trip of a request from a thread outside the system to an actor and back
// (actor_system::ask), one at a time: what a non-actor caller pays to talk to an actor.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

struct question {
  std::int64_t value;
};
struct answer {
  std::int64_t value;
};

class echo : public thespis::actor {
 public:
  echo() {
    handle([this](const question& q, const thespis::address& from) {
      send(from, answer{q.value + 1});
    });
  }
};

void run(benchmark::State& state) {
  const std::int64_t asks = bench::size("ask.round_trips", 10'000, 100);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto responder = sys.create_actor<echo>();
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = true;
    for (std::int64_t i = 0; i < asks && ok; ++i) {
      const auto reply = bench::ask_for<answer>(sys, responder, question{i});
      ok = reply && reply->value == i + 1;
    }
    if (!ok) {
      bench::fail(state, "ask: a reply was missing or wrong");
      break;
    }
  }
  bench::report_items(state, asks, "ns_per_ask", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/ask", run);

}  // namespace
