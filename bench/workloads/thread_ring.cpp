// thread_ring (Savina): n actors in a ring pass one token `hops` times; each hop is one message
// to the next actor, so no two actors ever run at once: the cost of a hand-off.
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

struct link_to {
  thespis::address next;
};
struct token {
  std::int64_t hops_done;
  std::int64_t hops_total;
  thespis::address client;  // who waits for the ring to finish
};
struct ring_done {
  std::int64_t hops;
  std::int64_t last_member;  // where the token stopped: hops mod n
};

class ring_member : public thespis::actor {
 public:
  explicit ring_member(std::int64_t index) : index_(index) {
    handle([this](const link_to& l) { next_ = l.next; });
    handle([this](const token& t, const thespis::address& from) {
      const thespis::address client = t.client ? t.client : from;  // the first comes from outside
      if (t.hops_done == t.hops_total) {
        send(client, ring_done{t.hops_done, index_});
      } else {
        send(next_, token{t.hops_done + 1, t.hops_total, client});
      }
    });
  }

 private:
  std::int64_t index_;
  thespis::address next_;
};

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("thread_ring.actors", 100, 10);
  const std::int64_t hops = bench::size("thread_ring.hops", 100'000, 1'000);
  thespis::actor_system sys{bench::threaded_config(state)};
  std::vector<thespis::address> ring;
  for (std::int64_t i = 0; i < n; ++i)
    ring.push_back(sys.create_actor<ring_member>(i));
  for (std::int64_t i = 0; i < n; ++i)
    sys.tell(ring[i], link_to{ring[(i + 1) % n]});
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<ring_done>(sys, ring[0], token{0, hops, {}});
    if (!done || done->hops != hops || done->last_member != hops % n) {
      bench::fail(state, "thread_ring: no reply, or the token made a wrong number of hops");
      break;
    }
  }
  bench::report_items(state, hops, "ns_per_hop", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/thread_ring", run);

}  // namespace
