// ping_pong (Savina): two actors bounce one ball back and forth, `pings` times each way; the
// latency of one message handed from actor to actor, with no parallelism to exploit.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

struct serve {
  thespis::address peer;
  std::int64_t pings;
};
struct ball {
  std::int64_t pings_left;  // pings still to send after this one is answered
};
struct rally_done {
  std::int64_t messages;  // every ping and pong of the rally
};

// Pings its peer until the rally is over, then tells whoever served.
class pinger : public thespis::actor {
 public:
  pinger() {
    handle([this](const serve& s, const thespis::address& from) {
      client_ = from;
      messages_ = 1;
      send(s.peer, ball{s.pings - 1});
    });
    handle([this](const ball& b, const thespis::address& from) {
      ++messages_;  // the pong
      if (b.pings_left == 0) {
        send(client_, rally_done{messages_});
        return;
      }
      ++messages_;
      send(from, ball{b.pings_left - 1});
    });
  }

 private:
  thespis::address client_;
  std::int64_t messages_ = 0;
};

// Answers every ping with a pong.
class ponger : public thespis::actor {
 public:
  ponger() {
    handle([this](const ball& b, const thespis::address& from) { send(from, b); });
  }
};

void run(benchmark::State& state) {
  const std::int64_t pings = bench::size("ping_pong.pings", 40'000, 100);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto ping = sys.create_actor<pinger>();
  const auto pong = sys.create_actor<ponger>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<rally_done>(sys, ping, serve{pong, pings});
    if (!done || done->messages != 2 * pings) {
      bench::fail(state, "ping_pong: no reply, or a wrong message count");
      break;
    }
  }
  bench::report_items(state, 2 * pings, "ns_per_msg", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/ping_pong", run);

}  // namespace
