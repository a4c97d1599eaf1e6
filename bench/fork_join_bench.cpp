// fork_join: throughput over many mailboxes (Savina's fork-join throughput). A thread outside
// the system sends N messages to each of K actors in turn; each actor checks that its messages
// arrive in order, and a final ask per actor checks that it got all N.
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

constexpr int actors = 60;                  // K, Savina's default
constexpr int messages_per_actor = 10'000;  // N per iteration

struct count_request {};
struct count_reply {
  std::int64_t count;
  bool in_order;
};

class tally : public thespis::actor {
 public:
  tally() {
    handle([this](int seq) {
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

// Returns true if every actor got all its messages, in order (and resets them).
bool all_joined(thespis::actor_system& sys, const std::vector<thespis::address>& tallies) {
  bool ok = true;
  for (const auto& t : tallies) {
    const auto reply = bench::ask_for<count_reply>(sys, t, count_request{});
    ok = ok && reply && reply->count == messages_per_actor && reply->in_order;
  }
  return ok;
}

void run_fork_join(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  std::vector<thespis::address> tallies;
  for (int k = 0; k < actors; ++k)
    tallies.push_back(sys.create_actor<tally>());
  bench::stopwatch clock;
  for (auto _ : state) {
    for (int seq = 0; seq < messages_per_actor; ++seq) {
      for (const auto& t : tallies)
        sys.tell(t, seq);
    }
    if (!all_joined(sys, tallies)) {
      state.SkipWithError("fork_join: an actor missed messages or got them out of order");
      break;
    }
  }
  bench::report_items(state, std::int64_t{actors} * messages_per_actor, "ns_per_msg", clock);
}

void fork_join_threaded(benchmark::State& state) {
  run_fork_join(state, bench::threaded_config(state));
}
void fork_join_simple(benchmark::State& state) {
  run_fork_join(state, bench::simple_config());
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(fork_join_threaded)
    ->Name("fork_join/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(fork_join_simple)->Name("fork_join/simple")->UseRealTime();

}  // namespace
