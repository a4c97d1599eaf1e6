// fork_join creation in CAF: the peer of workloads/fork_join_creation.cpp. Each worker is
// spawned from the benchmark's thread, gets one message, reports and quits.
#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

caf::behavior worker(caf::event_based_actor* self, caf::actor collector) {
  return {[=](go_atom) {
    self->send(collector, done_atom::value);
    self->quit();
  }};
}

struct collector_state {
  caf::response_promise client;
  std::int64_t expected = 0;
  std::int64_t finished = 0;
  bool waiting = false;
};

// Answers the `expect` request once that many workers have reported (reports may come first).
caf::behavior collector(caf::stateful_actor<collector_state>* self) {
  const auto report_if_done = [self] {
    auto& s = self->state;
    if (!s.waiting || s.finished < s.expected) return;
    s.client.deliver(s.finished);
    s.waiting = false;
    s.finished = 0;
  };
  return {
      [=](expect_atom, std::int64_t n) {
        self->state.client = self->make_response_promise();
        self->state.expected = n;
        self->state.waiting = true;
        report_if_done();
      },
      [=](done_atom) {
        ++self->state.finished;
        report_if_done();
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("fork_join_creation.actors", 40'000, 100);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto sink = sys.get().spawn(collector);
  const std::size_t running_before = sys.get().registry().running();
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < n; ++i)
      caf::anon_send(sys.get().spawn(worker, sink), go_atom::value);
    const auto finished = request_for<std::int64_t>(self, sink, expect_atom::value, n);
    if (!finished || *finished != n || !wait_for_running(sys.get(), running_before)) {
      bench::fail(state, "caf/fork_join_creation: a worker did not report or did not quit");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_actor", clock);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/fork_join_creation", run);

}  // namespace
