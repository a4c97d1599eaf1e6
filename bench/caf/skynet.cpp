// skynet in CAF: the peer of workloads/skynet.cpp; one iteration lasts until every actor of the
// tree has quit.
#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

constexpr std::int64_t fan_out = 10;

struct node_state {
  caf::actor parent;
  std::int64_t sum = 0;
  std::int64_t answers = 0;
};

caf::behavior skynet_node(caf::stateful_actor<node_state>* self, caf::actor parent,
                          std::int64_t first, std::int64_t leaves) {
  if (leaves == 1) {
    self->send(parent, sum_atom::value, first);
    return {};  // an actor without a behavior quits at once
  }
  self->state.parent = std::move(parent);
  const std::int64_t share = leaves / fan_out;
  for (std::int64_t i = 0; i < fan_out; ++i)
    self->spawn(skynet_node, caf::actor{self}, first + i * share, share);
  return {[=](sum_atom, std::int64_t value) {
    auto& s = self->state;
    s.sum += value;
    if (++s.answers < fan_out) return;
    self->send(s.parent, sum_atom::value, s.sum);
    self->quit();
  }};
}

struct driver_state {
  caf::response_promise client;
};

caf::behavior skynet_driver(caf::stateful_actor<driver_state>* self) {
  return {
      [=](go_atom, std::int64_t leaves) {
        self->state.client = self->make_response_promise();
        self->spawn(skynet_node, caf::actor{self}, std::int64_t{0}, leaves);
      },
      [=](sum_atom, std::int64_t sum) { self->state.client.deliver(sum); },
  };
}

bool is_power_of_fan_out(std::int64_t leaves) {
  while (leaves > 1 && leaves % fan_out == 0)
    leaves /= fan_out;
  return leaves == 1;
}

void run(benchmark::State& state) {
  const std::int64_t leaves = bench::size("skynet.leaves", 1'000'000, 1'000);
  if (!is_power_of_fan_out(leaves)) {
    bench::fail(state, "caf/skynet: leaves must be a power of 10");
    return;
  }
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto driver = sys.get().spawn(skynet_driver);
  const std::size_t running_before = sys.get().registry().running();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto sum = request_for<std::int64_t>(self, driver, go_atom::value, leaves);
    if (!sum || *sum != leaves * (leaves - 1) / 2 || !wait_for_running(sys.get(), running_before)) {
      bench::fail(state, "caf/skynet: no answer, a wrong sum, or actors that did not quit");
      break;
    }
  }
  bench::report_items(state, (fan_out * leaves - 1) / (fan_out - 1), "ns_per_actor", clock);
  self->send_exit(driver, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/skynet", run);

}  // namespace
