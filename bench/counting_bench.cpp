// counting: one producer floods one counter actor with ints, then asks for the total; the
// throughput of a single mailbox fed by a single sender. The producer is either a thread outside
// the system (actor_system::tell) or another actor (actor::send).
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

constexpr int count_to = 1'000'000;  // messages per iteration: 1, 2, ..., count_to
constexpr std::int64_t expected_sum = std::int64_t{count_to} * (count_to + 1) / 2;

struct total_request {
  thespis::address reply_to;  // null: reply to the sender
};
struct total {
  std::int64_t sum;
  std::int64_t count;
};
struct produce {
  thespis::address counter;
  int messages;
};

class counter : public thespis::actor {
 public:
  counter() {
    handle([this](int v) {
      sum_ += v;
      ++count_;
    });
    handle([this](const total_request& r, const thespis::address& from) {
      send(r.reply_to ? r.reply_to : from, total{sum_, count_});
      sum_ = 0;
      count_ = 0;
    });
  }

 private:
  std::int64_t sum_ = 0;
  std::int64_t count_ = 0;
};

// Sends every int in one handler, then has the counter answer whoever asked the producer.
class producer : public thespis::actor {
 public:
  producer() {
    handle([this](const produce& p, const thespis::address& from) {
      for (int i = 1; i <= p.messages; ++i)
        send(p.counter, i);
      send(p.counter, total_request{from});
    });
  }
};

bool is_complete(const std::optional<total>& t) {
  return t && t->sum == expected_sum && t->count == count_to;
}

void run_counting_outside(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  const auto target = sys.create_actor<counter>();
  bench::stopwatch clock;
  for (auto _ : state) {
    for (int i = 1; i <= count_to; ++i)
      sys.tell(target, i);
    if (!is_complete(bench::ask_for<total>(sys, target, total_request{}))) {
      state.SkipWithError("counting: no reply, or a wrong sum or count");
      break;
    }
  }
  bench::report_items(state, count_to, "ns_per_msg", clock);
}

void run_counting_actor(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  const auto target = sys.create_actor<counter>();
  const auto source = sys.create_actor<producer>();
  bench::stopwatch clock;
  for (auto _ : state) {
    if (!is_complete(bench::ask_for<total>(sys, source, produce{target, count_to}))) {
      state.SkipWithError("counting: no reply, or a wrong sum or count");
      break;
    }
  }
  bench::report_items(state, count_to, "ns_per_msg", clock);
}

void counting_outside_threaded(benchmark::State& state) {
  run_counting_outside(state, bench::threaded_config(state));
}
void counting_outside_simple(benchmark::State& state) {
  run_counting_outside(state, bench::simple_config());
}
void counting_actor_threaded(benchmark::State& state) {
  run_counting_actor(state, bench::threaded_config(state));
}
void counting_actor_simple(benchmark::State& state) {
  run_counting_actor(state, bench::simple_config());
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(counting_outside_threaded)
    ->Name("counting/outside_producer/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(counting_outside_simple)->Name("counting/outside_producer/simple")->UseRealTime();
BENCHMARK(counting_actor_threaded)
    ->Name("counting/actor_producer/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(counting_actor_simple)->Name("counting/actor_producer/simple")->UseRealTime();

}  // namespace
