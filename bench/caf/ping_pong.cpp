// ping_pong in CAF: the peer of workloads/ping_pong.cpp. The pinger answers its client with the
// number of messages the rally took.
#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

// Answers every ping with a pong; CAF sends a handler's result back to the sender.
caf::behavior ponger() {
  return {[](ping_atom, std::int64_t left) { return caf::make_message(pong_atom::value, left); }};
}

struct pinger_state {
  caf::response_promise client;
  std::int64_t messages = 0;
};

caf::behavior pinger(caf::stateful_actor<pinger_state>* self, caf::actor pong) {
  return {
      [=](go_atom, std::int64_t pings) {
        self->state.client = self->make_response_promise();
        self->state.messages = 1;
        self->send(pong, ping_atom::value, pings - 1);
      },
      [=](pong_atom, std::int64_t left) {
        ++self->state.messages;
        if (left == 0) {
          self->state.client.deliver(self->state.messages);
          return;
        }
        ++self->state.messages;
        self->send(pong, ping_atom::value, left - 1);
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t pings = bench::size("ping_pong.pings", 40'000, 100);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto ping = sys.get().spawn(pinger, sys.get().spawn(ponger));
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto messages = request_for<std::int64_t>(self, ping, go_atom::value, pings);
    if (!messages || *messages != 2 * pings) {
      bench::fail(state, "caf/ping_pong: no reply, or a wrong message count");
      break;
    }
  }
  bench::report_items(state, 2 * pings, "ns_per_msg", clock);
  self->send_exit(ping, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/ping_pong", run);

}  // namespace
