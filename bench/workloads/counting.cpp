// counting (Savina): a producer actor sends 1, 2, ..., n to a counter actor, then asks it for the
// total; the throughput of one mailbox fed by one sender.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

struct count_to {
  thespis::address counter;
  std::int64_t n;
};
struct total_request {
  thespis::address reply_to;
};
struct total {
  std::int64_t sum;
  std::int64_t count;
};

class counter : public thespis::actor {
 public:
  counter() {
    handle([this](std::int64_t v) {
      sum_ += v;
      ++count_;
    });
    handle([this](const total_request& r) {
      send(r.reply_to, total{sum_, count_});
      sum_ = 0;
      count_ = 0;
    });
  }

 private:
  std::int64_t sum_ = 0;
  std::int64_t count_ = 0;
};

// Sends every number in one handler, then has the counter answer whoever asked.
class producer : public thespis::actor {
 public:
  producer() {
    handle([this](const count_to& c, const thespis::address& from) {
      for (std::int64_t i = 1; i <= c.n; ++i)
        send(c.counter, i);
      send(c.counter, total_request{from});
    });
  }
};

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("counting.messages", 1'000'000, 1'000);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto target = sys.create_actor<counter>();
  const auto source = sys.create_actor<producer>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto t = bench::ask_for<total>(sys, source, count_to{target, n});
    if (!t || t->count != n || t->sum != n * (n + 1) / 2) {
      bench::fail(state, "counting: no reply, or a wrong sum or count");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_msg", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/counting", run);

}  // namespace
