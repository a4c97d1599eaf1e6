// fork_join throughput (Savina): a thread outside the system sends n messages to each of k
// actors in turn; each actor checks that its messages arrive in order, and one ask per actor
// checks that it got all n. Savina's per-message arithmetic is left out: this measures messaging.
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

struct count_request {};
struct count_reply {
  std::int64_t count;
  bool in_order;
};

class tally : public thespis::actor {
 public:
  tally() {
    handle([this](std::int64_t seq) {
      in_order_ = in_order_ && seq == count_;
      ++count_;
    });
    handle([this](count_request, const thespis::address& from) {
      send(from, count_reply{count_, in_order_});
      count_ = 0;
      in_order_ = true;
    });
  }

 private:
  std::int64_t count_ = 0;
  bool in_order_ = true;
};

// Returns true if every actor got all n messages, in order (and resets them).
bool all_joined(thespis::actor_system& sys, const std::vector<thespis::address>& tallies,
                std::int64_t n) {
  bool ok = true;
  for (const auto& t : tallies) {
    const auto reply = bench::ask_for<count_reply>(sys, t, count_request{});
    ok = ok && reply && reply->count == n && reply->in_order;
  }
  return ok;
}

void run(benchmark::State& state) {
  const std::int64_t k = bench::size("fork_join_throughput.actors", 60, 4);
  const std::int64_t n = bench::size("fork_join_throughput.messages", 10'000, 100);
  thespis::actor_system sys{bench::threaded_config(state)};
  std::vector<thespis::address> tallies;
  for (std::int64_t i = 0; i < k; ++i)
    tallies.push_back(sys.create_actor<tally>());
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t seq = 0; seq < n; ++seq) {
      for (const auto& t : tallies)
        sys.tell(t, seq);
    }
    if (!all_joined(sys, tallies, n)) {
      bench::fail(state, "fork_join_throughput: an actor missed messages or got them out of order");
      break;
    }
  }
  bench::report_items(state, k * n, "ns_per_msg", clock);
}

[[maybe_unused]] auto* const registered =
    bench::register_workload("thespis/fork_join_throughput", run);

}  // namespace
