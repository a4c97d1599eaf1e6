// ask in CAF: the peer of workloads/ask.cpp; a scoped_actor's blocking request/receive is how
// code outside CAF's actors asks one.
#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

caf::behavior echo() {
  return {[](std::int64_t value) { return value + 1; }};
}

void run(benchmark::State& state) {
  const std::int64_t asks = bench::size("ask.round_trips", 10'000, 100);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto responder = sys.get().spawn(echo);
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = true;
    for (std::int64_t i = 0; i < asks && ok; ++i) {
      const auto reply = request_for<std::int64_t>(self, responder, i);
      ok = reply && *reply == i + 1;
    }
    if (!ok) {
      bench::fail(state, "caf/ask: a reply was missing or wrong");
      break;
    }
  }
  bench::report_items(state, asks, "ns_per_ask", clock);
  self->send_exit(responder, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/ask", run);

}  // namespace
