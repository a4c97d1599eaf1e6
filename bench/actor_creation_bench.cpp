// actor_creation: the whole life of short-lived actors. Each child is created, says hello to its
// parent once, and exits; the parent counts the hellos. Two paths: children created from inside
// the parent (actor::create_actor, asynchronous: the child is built on a worker), and top-level
// actors created from outside (actor_system::create_actor, built before the call returns).
#include <chrono>
#include <cstdint>
#include <thread>

#include "bench/bench_support.hpp"

namespace {

constexpr std::int64_t children = 100'000;  // actors per iteration

struct hello {};
struct spawn_children {
  std::int64_t count;
};
struct expect_children {
  std::int64_t count;
};
struct children_done {
  std::int64_t hellos;
};

class child : public thespis::actor {
 public:
  explicit child(const thespis::address& parent) {
    send(parent, hello{});
    send(self(), thespis::actor_exit_request{});
  }
};

// Counts hellos and answers the asker once `expected_` have arrived. The hellos of top-level
// children may arrive before the `expect_children` that announces them.
class parent : public thespis::actor {
 public:
  parent() {
    handle([this](const spawn_children& s, const thespis::address& from) {
      expect(s.count, from);
      for (std::int64_t i = 0; i < s.count; ++i)
        create_actor<child>(self());
    });
    handle(
        [this](const expect_children& e, const thespis::address& from) { expect(e.count, from); });
    handle([this](hello) {
      ++hellos_;
      report_if_done();
    });
  }

 private:
  void expect(std::int64_t count, const thespis::address& client) {
    expected_ = count;
    client_ = client;
    report_if_done();
  }
  void report_if_done() {
    if (!client_ || hellos_ < expected_) return;
    send(client_, children_done{hellos_});
    client_ = thespis::address{};
    hellos_ = 0;
  }

  thespis::address client_;
  std::int64_t expected_ = 0;
  std::int64_t hellos_ = 0;
};

// Returns true once only the parent is alive: every child has exited.
bool children_exited(const thespis::actor_system& sys) {
  const auto deadline = std::chrono::steady_clock::now() + bench::reply_timeout;
  while (sys.live_actor_count() > 1) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void run_child_creation(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  const auto spawner = sys.create_actor<parent>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<children_done>(sys, spawner, spawn_children{children});
    if (!done || done->hellos != children) {
      state.SkipWithError("actor_creation: no reply, or a wrong number of children");
      break;
    }
  }
  bench::report_items(state, children, "ns_per_actor", clock);
  if (!state.error_occurred() && !children_exited(sys))
    state.SkipWithError("actor_creation: children did not exit");
}

void run_top_level_creation(benchmark::State& state, thespis::system_config config) {
  thespis::actor_system sys{std::move(config)};
  const auto counter = sys.create_actor<parent>();
  bench::stopwatch clock;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < children; ++i)
      sys.create_actor<child>(counter);
    const auto done = bench::ask_for<children_done>(sys, counter, expect_children{children});
    if (!done || done->hellos != children) {
      state.SkipWithError("actor_creation: no reply, or a wrong number of actors");
      break;
    }
  }
  bench::report_items(state, children, "ns_per_actor", clock);
  if (!state.error_occurred() && !children_exited(sys))
    state.SkipWithError("actor_creation: actors did not exit");
}

void actor_creation_child_threaded(benchmark::State& state) {
  run_child_creation(state, bench::threaded_config(state));
}
void actor_creation_child_simple(benchmark::State& state) {
  run_child_creation(state, bench::simple_config());
}
void actor_creation_top_level_threaded(benchmark::State& state) {
  run_top_level_creation(state, bench::threaded_config(state));
}

// workers:0 means one worker per hardware thread; the label names the count.
BENCHMARK(actor_creation_child_threaded)
    ->Name("actor_creation/child/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(actor_creation_child_simple)->Name("actor_creation/child/simple")->UseRealTime();
BENCHMARK(actor_creation_top_level_threaded)
    ->Name("actor_creation/top_level/threaded")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();

}  // namespace
