// big in CAF: the peer of workloads/big.cpp.
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

struct worker_state {
  std::vector<caf::actor> all;
  caf::actor sink;
  std::int64_t pings_left = 0;
  std::int64_t pongs = 0;
  std::uint32_t random = 0;
};

void ping_someone(caf::stateful_actor<worker_state>* self) {
  auto& s = self->state;
  s.random = s.random * 1664525u + 1013904223u;  // the same LCG as the Thespis version
  --s.pings_left;
  self->send(s.all[(s.random >> 8) % s.all.size()], ping_atom::value);
}

caf::behavior big_worker(caf::stateful_actor<worker_state>* self, std::uint32_t seed) {
  self->state.random = seed * 2654435761u + 1;
  return {
      [=](go_atom, const std::vector<caf::actor>& all, std::int64_t pings, caf::actor sink) {
        self->state.all = all;
        self->state.pings_left = pings;
        self->state.pongs = 0;
        self->state.sink = std::move(sink);
        ping_someone(self);
      },
      [=](ping_atom) { return pong_atom::value; },
      [=](pong_atom) {
        ++self->state.pongs;
        if (self->state.pings_left > 0) {
          ping_someone(self);
        } else {
          self->send(self->state.sink, done_atom::value, self->state.pongs);
        }
      },
  };
}

struct sink_state {
  caf::response_promise client;
  std::int64_t waiting = 0;
  std::int64_t pongs = 0;
};

caf::behavior big_sink(caf::stateful_actor<sink_state>* self) {
  return {
      [=](go_atom, const std::vector<caf::actor>& all, std::int64_t pings) {
        self->state.client = self->make_response_promise();
        self->state.waiting = static_cast<std::int64_t>(all.size());
        self->state.pongs = 0;
        for (const auto& w : all)
          self->send(w, go_atom::value, all, pings, caf::actor{self});
      },
      [=](done_atom, std::int64_t pongs) {
        self->state.pongs += pongs;
        if (--self->state.waiting == 0) self->state.client.deliver(self->state.pongs);
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t w = bench::size("big.actors", 120, 8);
  const std::int64_t n = bench::size("big.pings", 20'000, 100);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  std::vector<caf::actor> workers;
  for (std::int64_t i = 0; i < w; ++i)
    workers.push_back(sys.get().spawn(big_worker, static_cast<std::uint32_t>(i)));
  const auto sink = sys.get().spawn(big_sink);
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto pongs = request_for<std::int64_t>(self, sink, go_atom::value, workers, n);
    if (!pongs || *pongs != n * w) {
      bench::fail(state, "caf/big: no reply, or a wrong number of pongs");
      break;
    }
  }
  bench::report_items(state, 2 * n * w, "ns_per_msg", clock);
  for (const auto& a : workers)
    self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/big", run);

}  // namespace
