// fork_join creation (Savina): a thread outside the system creates n actors and sends each one
// message; each actor handles it, reports to a collector and exits. The whole life of a
// short-lived top-level actor: creation, first message, exit.
#include <cstdint>

#include "bench/bench_support.hpp"

namespace {

struct job {};
struct finished {};
struct expect {
  std::int64_t actors;
};
struct all_finished {
  std::int64_t actors;
};

class worker : public thespis::actor {
 public:
  explicit worker(const thespis::address& collector) {
    handle([this, collector](job) {
      send(collector, finished{});
      send(self(), thespis::actor_exit_request{});
    });
  }
};

// Counts finished workers and answers the asker once the expected number have reported; reports
// may arrive before the `expect` that announces them.
class collector : public thespis::actor {
 public:
  collector() {
    handle([this](const expect& e, const thespis::address& from) {
      expected_ = e.actors;
      client_ = from;
      report_if_done();
    });
    handle([this](finished) {
      ++finished_;
      report_if_done();
    });
  }

 private:
  void report_if_done() {
    if (!client_ || finished_ < expected_) return;
    send(client_, all_finished{finished_});
    client_ = thespis::address{};
    finished_ = 0;
  }

  thespis::address client_;
  std::int64_t expected_ = 0;
  std::int64_t finished_ = 0;
};

void run(benchmark::State& state) {
  const std::int64_t n = bench::size("fork_join_creation.actors", 40'000, 100);
  thespis::actor_system sys{bench::threaded_config(state)};
  const auto sink = sys.create_actor<collector>();
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < n; ++i)
      sys.tell(sys.create_actor<worker>(sink), job{});
    const auto done = bench::ask_for<all_finished>(sys, sink, expect{n});
    if (!done || done->actors != n || !bench::wait_for_live_actors(sys, 1)) {
      bench::fail(state, "fork_join_creation: a worker did not report or did not exit");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_actor", clock);
}

[[maybe_unused]] auto* const registered =
    bench::register_workload("thespis/fork_join_creation", run);

}  // namespace
