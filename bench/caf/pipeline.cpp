// pipeline in CAF: the peer of workloads/pipeline.cpp, one message per item and batched
// (a std::vector per message). CAF 0.17's streams would batch on their own; plain messages keep
// the two variants the same shape as Thespis's.
#include <algorithm>
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;
using batch = std::vector<std::int64_t>;

std::int64_t transform(std::int64_t x) {
  return 3 * x + 1;
}

struct sink_state {
  caf::response_promise client;
  std::int64_t expected = 0;
  std::int64_t items = 0;
  std::int64_t sum = 0;
};

void add(caf::stateful_actor<sink_state>* self, std::int64_t v) {
  auto& s = self->state;
  s.sum += v;
  if (++s.items < s.expected) return;
  s.client.deliver(s.items, s.sum);
  s.items = 0;
  s.sum = 0;
}

caf::behavior sink(caf::stateful_actor<sink_state>* self) {
  return {
      [=](expect_atom, std::int64_t items) {
        self->state.client = self->make_response_promise();
        self->state.expected = items;
      },
      [=](std::int64_t v) { add(self, v); },
      [=](const batch& b) {
        for (std::int64_t v : b)
          add(self, v);
      },
  };
}

caf::behavior map_stage(caf::event_based_actor* self, caf::actor next) {
  return {
      [=](std::int64_t v) { self->send(next, transform(v)); },
      [=](batch& b) {
        for (auto& v : b)
          v = transform(v);
        self->send(next, std::move(b));
      },
  };
}

caf::behavior source(caf::event_based_actor* self, caf::actor map, caf::actor last) {
  return {[=](go_atom, std::int64_t items, std::int64_t batch_size) {
    auto done = self->delegate(last, expect_atom::value, items);  // queued before any item
    if (batch_size == 0) {
      for (std::int64_t i = 0; i < items; ++i)
        self->send(map, i);
      return done;
    }
    for (std::int64_t first = 0; first < items; first += batch_size) {
      batch b;
      for (std::int64_t i = first; i < std::min(first + batch_size, items); ++i)
        b.push_back(i);
      self->send(map, std::move(b));
    }
    return done;
  }};
}

void run(benchmark::State& state, std::int64_t batch_size) {
  const std::int64_t n = bench::size("pipeline.items", 1'000'000, 10'000);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto last = sys.get().spawn(sink);
  const auto middle = sys.get().spawn(map_stage, last);
  const auto first = sys.get().spawn(source, middle, last);
  const std::int64_t expected_sum = 3 * (n * (n - 1) / 2) + n;
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = false;
    self->request(first, bench::reply_timeout, go_atom::value, n, batch_size)
        .receive(
            [&](std::int64_t items, std::int64_t sum) { ok = items == n && sum == expected_sum; },
            [](const caf::error&) {});
    if (!ok) {
      bench::fail(state, "caf/pipeline: no reply, or a wrong item count or sum");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_item", clock);
  for (const auto& a : {first, middle, last})
    self->send_exit(a, caf::exit_reason::user_shutdown);
}

void run_per_item(benchmark::State& state) {
  run(state, 0);
}
void run_batched(benchmark::State& state) {
  run(state, bench::size("pipeline.batch", 1'024, 64));
}

[[maybe_unused]] auto* const per_item = bench::register_workload("caf/pipeline", run_per_item);
[[maybe_unused]] auto* const batched =
    bench::register_workload("caf/pipeline_batched", run_batched);

}  // namespace
