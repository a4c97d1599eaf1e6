// counting in CAF: the peer of workloads/counting.cpp. The producer delegates the final request
// to the counter, so the counter answers the benchmark's thread directly.
#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

struct counter_state {
  std::int64_t sum = 0;
  std::int64_t count = 0;
};

caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  return {
      [=](std::int64_t v) {
        self->state.sum += v;
        ++self->state.count;
      },
      [=](total_atom) {
        const auto reply = caf::make_message(self->state.sum, self->state.count);
        self->state = counter_state{};
        return reply;
      },
  };
}

caf::behavior producer(caf::event_based_actor* self, caf::actor target) {
  return {[=](go_atom, std::int64_t n) {
    for (std::int64_t i = 1; i <= n; ++i)
      self->send(target, i);
    return self->delegate(target, total_atom::value);
  }};
}

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("counting.messages", 1'000'000, 1'000);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto target = sys.get().spawn(counter);
  const auto source = sys.get().spawn(producer, target);
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = false;
    self->request(source, bench::reply_timeout, go_atom::value, n)
        .receive([&](std::int64_t sum,
                     std::int64_t count) { ok = count == n && sum == n * (n + 1) / 2; },
                 [](const caf::error&) {});
    if (!ok) {
      bench::fail(state, "caf/counting: no reply, or a wrong sum or count");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_msg", clock);
  self->send_exit(source, caf::exit_reason::user_shutdown);
  self->send_exit(target, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/counting", run);

}  // namespace
