// thread_ring in CAF: the peer of workloads/thread_ring.cpp.
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

struct member_state {
  caf::actor next;
};

// Each hop delegates the request to the next member, so whichever member ends the ring answers
// the benchmark's thread directly; one message per hop, as in the Thespis version.
caf::behavior ring_member(caf::stateful_actor<member_state>* self, std::int64_t index) {
  return {
      [=](link_atom, caf::actor next) { self->state.next = std::move(next); },
      [=](token_atom, std::int64_t hops_done,
          std::int64_t hops_total) -> caf::result<caf::message> {
        if (hops_done == hops_total) return caf::make_message(hops_done, index);
        return self->delegate(self->state.next, token_atom::value, hops_done + 1, hops_total);
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("thread_ring.actors", 100, 10);
  const std::int64_t hops = bench::size("thread_ring.hops", 100'000, 1'000);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  std::vector<caf::actor> ring;
  for (std::int64_t i = 0; i < n; ++i)
    ring.push_back(sys.get().spawn(ring_member, i));
  for (std::int64_t i = 0; i < n; ++i)
    caf::anon_send(ring[i], link_atom::value, ring[(i + 1) % n]);
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = false;
    self->request(ring[0], bench::reply_timeout, token_atom::value, std::int64_t{0}, hops)
        .receive(
            [&](std::int64_t done, std::int64_t last) { ok = done == hops && last == hops % n; },
            [](const caf::error&) {});
    if (!ok) {
      bench::fail(state, "caf/thread_ring: no reply, or the token made a wrong number of hops");
      break;
    }
  }
  bench::report_items(state, hops, "ns_per_hop", clock);
  for (const auto& m : ring)
    self->send_exit(m, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/thread_ring", run);

}  // namespace
