// pipeline: source -> map -> sink, three actors in a line. The source sends the numbers
// 0..n-1, the map sends on 3x+1, the sink sums. One message per item, and a batched variant
// where each message carries `batch` items (a std::vector moved along the line, never copied).
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

using batch = std::vector<std::int64_t>;

struct run_items {
  std::int64_t items;
  std::int64_t batch_size;  // 0: one message per item
};
struct pipeline_done {
  std::int64_t items;
  std::int64_t sum;
};
struct expect {
  std::int64_t items;
  thespis::address client;
};

// The map stage's function: cheap, so the stages' messaging dominates.
std::int64_t transform(std::int64_t x) {
  return 3 * x + 1;
}

class sink : public thespis::actor {
 public:
  sink() {
    handle([this](const expect& e) {
      expected_ = e.items;
      client_ = e.client;
    });
    handle([this](std::int64_t v) { add(v); });
    handle([this](const batch& b) {
      for (std::int64_t v : b)
        add(v);
    });
  }

 private:
  void add(std::int64_t v) {
    sum_ += v;
    if (++items_ < expected_) return;
    send(client_, pipeline_done{items_, sum_});
    items_ = 0;
    sum_ = 0;
  }

  thespis::address client_;
  std::int64_t expected_ = 0;
  std::int64_t items_ = 0;
  std::int64_t sum_ = 0;
};

class map_stage : public thespis::actor {
 public:
  explicit map_stage(const thespis::address& next) {
    handle([this, next](std::int64_t v) { send(next, transform(v)); });
    handle([this, next](batch& b) {
      for (auto& v : b)
        v = transform(v);
      send(next, std::move(b));
    });
  }
};

class source : public thespis::actor {
 public:
  source(const thespis::address& map, const thespis::address& sink) {
    handle([this, map, sink](const run_items& r, const thespis::address& from) {
      send(sink, expect{r.items, from});  // queued before any item can leave the source
      if (r.batch_size == 0) {
        for (std::int64_t i = 0; i < r.items; ++i)
          send(map, i);
        return;
      }
      for (std::int64_t first = 0; first < r.items; first += r.batch_size) {
        batch b;
        for (std::int64_t i = first; i < std::min(first + r.batch_size, r.items); ++i)
          b.push_back(i);
        send(map, std::move(b));
      }
    });
  }
};

void run(benchmark::State& state, std::int64_t batch_size) {
  const std::int64_t n = bench::size("pipeline.items", 1'000'000, 10'000);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto last = sys.create_actor<sink>();
  const auto middle = sys.create_actor<map_stage>(last);
  const auto first = sys.create_actor<source>(middle, last);
  const std::int64_t expected_sum = 3 * (n * (n - 1) / 2) + n;
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<pipeline_done>(sys, first, run_items{n, batch_size});
    if (!done || done->items != n || done->sum != expected_sum) {
      bench::fail(state, "pipeline: no reply, or a wrong item count or sum");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_item", clock);
}

void run_per_item(benchmark::State& state) {
  run(state, 0);
}
void run_batched(benchmark::State& state) {
  run(state, bench::size("pipeline.batch", 1'024, 64));
}

[[maybe_unused]] auto* const per_item = bench::register_workload("thespis/pipeline", run_per_item);
[[maybe_unused]] auto* const batched =
    bench::register_workload("thespis/pipeline_batched", run_batched);

}  // namespace
