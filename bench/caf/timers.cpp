// timers in CAF: the peer of workloads/timers.cpp; each wakeup is a delayed_send to the actor
// itself, CAF's way to be woken later.
#include <chrono>
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;
using namespace std::chrono_literals;

constexpr auto window = 10ms;

struct sleeper_state {
  caf::response_promise client;
  std::vector<bool> seen;
  std::int64_t woken = 0;
  bool each_once = true;
};

caf::behavior sleeper(caf::stateful_actor<sleeper_state>* self) {
  return {
      [=](go_atom, std::int64_t wakeups) {
        auto& s = self->state;
        s.client = self->make_response_promise();
        s.seen.assign(static_cast<std::size_t>(wakeups), false);
        s.woken = 0;
        s.each_once = true;
        std::uint32_t lcg = 12345;
        for (std::int64_t i = 0; i < wakeups; ++i) {
          lcg = lcg * 1664525u + 1013904223u;
          self->delayed_send(self, window * (lcg % 1024) / 1024, tick_atom::value, i);
        }
      },
      [=](tick_atom, std::int64_t i) {
        auto& s = self->state;
        s.each_once = s.each_once && !s.seen[static_cast<std::size_t>(i)];
        s.seen[static_cast<std::size_t>(i)] = true;
        if (++s.woken == static_cast<std::int64_t>(s.seen.size()))
          s.client.deliver(s.woken, s.each_once);
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t wakeups = bench::size("timers.wakeups", 100'000, 1'000);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  const auto target = sys.get().spawn(sleeper);
  bench::stopwatch clock;
  for (auto _ : state) {
    bool ok = false;
    self->request(target, bench::reply_timeout, go_atom::value, wakeups)
        .receive([&](std::int64_t woken, bool each_once) { ok = woken == wakeups && each_once; },
                 [](const caf::error&) {});
    if (!ok) {
      bench::fail(state, "caf/timers: a wakeup was lost or delivered twice");
      break;
    }
  }
  bench::report_items(state, wakeups, "ns_per_wakeup", clock);
  self->send_exit(target, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/timers", run);

}  // namespace
