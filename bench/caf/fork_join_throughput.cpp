// fork_join throughput in CAF: the peer of workloads/fork_join_throughput.cpp. The benchmark's
// thread sends with anon_send, CAF's send from outside any actor.
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

struct tally_state {
  std::int64_t count = 0;
  bool in_order = true;
};

caf::behavior tally(caf::stateful_actor<tally_state>* self) {
  return {
      [=](std::int64_t seq) {
        self->state.in_order = self->state.in_order && seq == self->state.count;
        ++self->state.count;
      },
      [=](count_atom) {
        const auto reply = caf::make_message(self->state.count, self->state.in_order);
        self->state = tally_state{};
        return reply;
      },
  };
}

// Returns true if every actor got all n messages, in order (and resets them).
bool all_joined(caf::scoped_actor& self, const std::vector<caf::actor>& tallies, std::int64_t n) {
  bool ok = true;
  for (const auto& t : tallies) {
    bool joined = false;
    self->request(t, bench::reply_timeout, count_atom::value)
        .receive([&](std::int64_t count, bool in_order) { joined = count == n && in_order; },
                 [](const caf::error&) {});
    ok = ok && joined;
  }
  return ok;
}

void run(benchmark::State& state) {
  const std::int64_t k = bench::size("fork_join_throughput.actors", 60, 4);
  const std::int64_t n = bench::size("fork_join_throughput.messages", 10'000, 100);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  std::vector<caf::actor> tallies;
  for (std::int64_t i = 0; i < k; ++i)
    tallies.push_back(sys.get().spawn(tally));
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t seq = 0; seq < n; ++seq) {
      for (const auto& t : tallies)
        caf::anon_send(t, seq);
    }
    if (!all_joined(self, tallies, n)) {
      bench::fail(state,
                  "caf/fork_join_throughput: an actor missed messages or got them out of order");
      break;
    }
  }
  bench::report_items(state, k * n, "ns_per_msg", clock);
  for (const auto& t : tallies)
    self->send_exit(t, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/fork_join_throughput", run);

}  // namespace
