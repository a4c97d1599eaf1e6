// skynet: a 10-ary tree of actors with `leaves` leaves (1,111,111 actors for a million). Each
// inner actor creates its ten children, each leaf sends its number up, each inner actor sums its
// children's answers, sends the sum to its parent and exits. The cost of creating, running and
// ending actors en masse; one iteration lasts until every actor of the tree has exited.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

constexpr std::int64_t fan_out = 10;

struct partial_sum {
  std::int64_t value;
};
struct run_tree {
  std::int64_t leaves;
};

class skynet_node : public thespis::actor {
 public:
  skynet_node(const thespis::address& parent, std::int64_t first, std::int64_t leaves)
      : parent_(parent) {
    if (leaves == 1) {
      finish(first);
      return;
    }
    const std::int64_t share = leaves / fan_out;
    for (std::int64_t i = 0; i < fan_out; ++i)
      create_actor<skynet_node>(self(), first + i * share, share);
    handle([this](const partial_sum& s) {
      sum_ += s.value;
      if (++answers_ == fan_out) finish(sum_);
    });
  }

 private:
  void finish(std::int64_t sum) {
    send(parent_, partial_sum{sum});
    send(self(), thespis::actor_exit_request{});
  }

  thespis::address parent_;
  std::int64_t sum_ = 0;
  std::int64_t answers_ = 0;
};

// Grows a tree for the asker and hands it the root's sum.
class skynet_driver : public thespis::actor {
 public:
  skynet_driver() {
    handle([this](const run_tree& r, const thespis::address& from) {
      client_ = from;
      create_actor<skynet_node>(self(), 0, r.leaves);
    });
    handle([this](const partial_sum& s) { send(client_, s); });
  }

 private:
  thespis::address client_;
};

// Returns true if `leaves` is a power of fan_out, so the tree is complete.
bool is_power_of_fan_out(std::int64_t leaves) {
  while (leaves > 1 && leaves % fan_out == 0)
    leaves /= fan_out;
  return leaves == 1;
}

void run(benchmark::State& state) {
  const std::int64_t leaves = bench::size("skynet.leaves", 1'000'000, 1'000);
  if (!is_power_of_fan_out(leaves)) {
    bench::fail(state, "skynet: leaves must be a power of 10");
    return;
  }
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto driver = sys.create_actor<skynet_driver>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto sum = bench::ask_for<partial_sum>(sys, driver, run_tree{leaves});
    if (!sum || sum->value != leaves * (leaves - 1) / 2 || !bench::wait_for_live_actors(sys, 1)) {
      bench::fail(state, "skynet: no answer, a wrong sum, or actors that did not exit");
      break;
    }
  }
  bench::report_items(state, (fan_out * leaves - 1) / (fan_out - 1), "ns_per_actor", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/skynet", run);

}  // namespace
