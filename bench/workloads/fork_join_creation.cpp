// fork_join creation (Savina): a thread outside the system creates n actors and sends each one
// message; each actor handles it, reports to a collector and exits. The whole life of a
// short-lived top-level actor: creation, first message, exit.
#include <cstdint>
#include <utility>

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

// Takes the collector's address by value and keeps it as a member: the factory moves its stored
// copy in, so creating a worker copies the address once. A lambda capturing a `const address&`
// parameter by value would copy it twice more (the capture is const, so moving the lambda into
// the handler table copies it), each an atomic operation on the collector's reference count, on
// the line every worker's report CASes, and on the creating thread, which bounds this workload.
class worker : public thespis::actor {
 public:
  explicit worker(thespis::address collector) : collector_(std::move(collector)) {
    handle([this](job) {
      send(collector_, finished{});
      send(self(), thespis::actor_exit_request{});
    });
  }

 private:
  thespis::address collector_;
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
