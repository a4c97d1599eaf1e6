// back_pressure: a fast actor floods a slow one with 1,000,000 messages, with and without a
// mailbox limit. Reports how many messages were ever queued at once and how much the process's
// peak RSS grew (the unbounded row runs last: peak RSS only grows).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstddef>
#include <thread>

#include "core/thespis.hpp"

namespace {
constexpr int messages = 1'000'000;

struct item {
  int seq;
};
struct go {};
struct done_request {};

class sink : public thespis::actor {
 public:
  sink() {
    handle([this](const item& i) {
      if (i.seq == expected_) ++expected_;
      for (int spin = 0; spin < 200; ++spin)
        benchmark::DoNotOptimize(spin);  // a slow consumer
    });
    handle([this](const done_request&, const thespis::address& from) { send(from, expected_); });
  }

 private:
  int expected_ = 0;
};

class source : public thespis::actor {
 public:
  explicit source(thespis::address to) : to_(std::move(to)) {
    handle([this](const go&) {
      for (int i = 0; i < 100 && sent_ < messages; ++i)
        send(to_, item{sent_++});
      if (sent_ < messages) send(self(), go{});
    });
  }

 private:
  thespis::address to_;
  int sent_ = 0;
};

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void back_pressure(benchmark::State& state) {
  const auto limit = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const long rss_before = peak_rss_kib();
    thespis::system_config config;
    config.mailbox_limit = limit;
    thespis::actor_system sys{config};
    auto s = sys.create_actor<sink>();
    sys.tell(sys.create_actor<source>(s), go{});
    int received = 0;
    while (received < messages) {
      auto r = sys.ask<int>(s, done_request{}, std::chrono::seconds(60));
      if (!r) break;
      received = *r;
      if (received < messages) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (received != messages) {
      state.SkipWithError("messages lost or reordered");
      return;
    }
    auto status =
        sys.ask<thespis::actor_status>(s, thespis::status_request{}, std::chrono::seconds(10));
    state.counters["peak_queued"] = static_cast<double>(status ? status->peak_pending_messages : 0);
    state.counters["peak_rss_growth_MiB"] =
        static_cast<double>(peak_rss_kib() - rss_before) / 1024.0;
  }
  state.SetItemsProcessed(state.iterations() * messages);
}
}  // namespace

// limit 1000 first; 0 (unbounded) last, since peak RSS never comes back down.
BENCHMARK(back_pressure)
    ->Arg(1000)
    ->Arg(0)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
