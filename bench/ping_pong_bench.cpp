// ping_pong: two actors bounce one ball back and forth; the latency of one message handed from
// actor to actor, with no parallelism to exploit.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

constexpr std::int64_t rally_length = 100'000;  // balls per iteration

struct serve {
  thespis::address peer;
  std::int64_t messages;
};
struct ball {
  std::int64_t hops;  // messages delivered so far, this one included
  std::int64_t goal;
};
struct rally_done {
  std::int64_t hops;
};

// The player that receives `serve` starts the rally and reports its end to the asker.
class player : public thespis::actor {
 public:
  player() {
    handle([this](const serve& s, const thespis::address& from) {
      client_ = from;
      send(s.peer, ball{1, s.messages});
    });
    handle([this](const ball& b, const thespis::address& from) {
      if (b.hops < b.goal) {
        send(from, ball{b.hops + 1, b.goal});
      } else {
        send(client_ ? client_ : from, rally_done{b.hops});  // the other player hands it back
      }
    });
    handle([this](const rally_done& d) { send(client_, d); });
  }

 private:
  thespis::address client_;  // only the starting player has one
};

void run_ping_pong(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  const auto ping = sys.create_actor<player>();
  const auto pong = sys.create_actor<player>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<rally_done>(sys, ping, serve{pong, rally_length});
    if (!done || done->hops != rally_length) {
      state.SkipWithError("ping_pong: no reply, or a wrong message count");
      break;
    }
  }
  bench::report_items(state, rally_length, "ns_per_msg", clock);
}

void ping_pong_threaded(benchmark::State& state) {
  run_ping_pong(state, bench::threaded_config(state));
}
void ping_pong_simple(benchmark::State& state) {
  run_ping_pong(state, bench::simple_config());
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(ping_pong_threaded)
    ->Name("ping_pong/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(ping_pong_simple)->Name("ping_pong/simple")->UseRealTime();

}  // namespace
