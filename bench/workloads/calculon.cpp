// Calculon-style actors: sending to 100,000 distinct ids that spawn on demand through a
// director, and what a typed method-call message costs against a plain message.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

// -- spawn on demand ---------------------------------------------------------------------------

class user_agent {
 public:
  explicit user_agent(std::shared_ptr<std::atomic<std::int64_t>> handled)
      : handled_(std::move(handled)) {}
  void greet(std::int64_t) { handled_->fetch_add(1, std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> handled_;
};

class agent_director : public thespis::actor {
 public:
  explicit agent_director(std::shared_ptr<std::atomic<std::int64_t>> handled)
      : handled_(std::move(handled)) {
    direct<user_agent>();
    handle([this](thespis::spawn_request& r) { create_for<user_agent>(r, handled_); });
  }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> handled_;
};

// One message to each of `ids` distinct ids, none of which has an actor yet: each message asks
// the director for an actor and waits for it. Timed from the first send to the last handled.
void spawn_on_demand(benchmark::State& state) {
  const std::int64_t ids = bench::size("calculon.ids", 100'000, 1'000);
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(ids));
  for (std::int64_t i = 0; i < ids; ++i)
    names.push_back("user" + std::to_string(i) + "@example.org");
  for (auto _ : state) {
    auto handled = std::make_shared<std::atomic<std::int64_t>>(0);
    thespis::actor_system sys{bench::threaded_config(state)};
    sys.create_actor<agent_director>(handled);
    const auto start = std::chrono::steady_clock::now();
    for (const auto& name : names)
      sys.by_id<user_agent>(name).tell(&user_agent::greet, std::int64_t{1});
    const auto deadline = start + bench::reply_timeout;
    while (handled->load(std::memory_order_relaxed) < ids &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    const auto stop = std::chrono::steady_clock::now();
    if (handled->load() != ids || sys.live_actor_count() != static_cast<std::size_t>(ids) + 1) {
      bench::fail(state, "spawn_on_demand: not every id got its actor and its message");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    state.counters["ns_per_message"] =
        std::chrono::duration<double, std::nano>(stop - start).count() / static_cast<double>(ids);
  }
  if (!state.error_occurred()) state.SetItemsProcessed(ids * state.iterations());
}

// -- method call against plain message --------------------------------------------------------

class counter {
 public:
  void add(std::int64_t n) { total_ += n; }
  std::int64_t total() const { return total_; }

 private:
  std::int64_t total_ = 0;
};

struct add {
  std::int64_t n;
};
struct get_total {};

class message_counter : public thespis::actor {
 public:
  message_counter() {
    handle([this](const add& a) { total_ += a.n; });
    handle([this](const get_total&, const thespis::address& from) { send(from, total_); });
  }

 private:
  std::int64_t total_ = 0;
};

// On the simple base each tell runs to completion on the caller's thread, so the row is the
// cost of one message end to end (allocate, route, dispatch, run, free) without scheduling.
void method_call(benchmark::State& state) {
  const std::int64_t messages = bench::size("calculon.messages", 1'000'000, 1'000);
  thespis::actor_system sys{bench::simple_config()};
  auto c = sys.create_actor<counter>();
  bench::stopwatch clock;
  std::int64_t expected = 0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < messages; ++i)
      c.tell(&counter::add, std::int64_t{1});
    expected += messages;
  }
  if (c.ask(&counter::total, bench::reply_timeout) != expected) {
    bench::fail(state, "method_call: the counter's total is wrong");
  }
  bench::report_items(state, messages, "ns_per_message", clock);
}

void plain_message(benchmark::State& state) {
  const std::int64_t messages = bench::size("calculon.messages", 1'000'000, 1'000);
  thespis::actor_system sys{bench::simple_config()};
  const auto c = sys.create_actor<message_counter>();
  bench::stopwatch clock;
  std::int64_t expected = 0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < messages; ++i)
      sys.tell(c, add{1});
    expected += messages;
  }
  if (bench::ask_for<std::int64_t>(sys, c, get_total{}) != expected) {
    bench::fail(state, "plain_message: the counter's total is wrong");
  }
  bench::report_items(state, messages, "ns_per_message", clock);
}

// Timed by hand (the system's set-up and tear-down are not part of a row), at 1 and all workers.
[[maybe_unused]] auto* const spawn_row = [] {
  auto* row = benchmark::RegisterBenchmark("thespis/spawn_on_demand", spawn_on_demand);
  row->ArgName("workers")->Arg(1);
  if (bench::hardware_threads() > 1) row->Arg(bench::hardware_threads());
  return row->UseManualTime()->Unit(benchmark::kMillisecond);
}();
[[maybe_unused]] auto* const method_row =
    benchmark::RegisterBenchmark("thespis/method_call_message/simple", method_call)
        -> Unit(benchmark::kMillisecond);
[[maybe_unused]] auto* const plain_row =
    benchmark::RegisterBenchmark("thespis/plain_message/simple", plain_message)
        -> Unit(benchmark::kMillisecond);

}  // namespace
