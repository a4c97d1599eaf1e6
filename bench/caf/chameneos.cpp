// chameneos in CAF: the peer of workloads/chameneos.cpp.
#include <vector>

#include "bench/caf/caf_support.hpp"

namespace {

using namespace bench::caf_peer;

// Colours 0, 1, 2; the complement rule of Savina.
std::int64_t complement(std::int64_t a, std::int64_t b) {
  return a == b ? a : 3 - a - b;
}

struct creature_state {
  caf::actor mall;
  std::int64_t is = 0;
  std::int64_t meetings = 0;
};

caf::behavior creature(caf::stateful_actor<creature_state>* self, std::int64_t initial) {
  return {
      [=](go_atom, caf::actor mall) {
        self->state = creature_state{std::move(mall), initial, 0};
        self->send(self->state.mall, meet_atom::value, self->state.is);
      },
      [=](meet_atom, const caf::actor& partner, std::int64_t partner_is) {
        auto& s = self->state;
        s.is = complement(s.is, partner_is);
        ++s.meetings;
        self->send(partner, change_atom::value, s.is);
        self->send(s.mall, meet_atom::value, s.is);
      },
      [=](change_atom, std::int64_t to) {
        self->state.is = to;
        ++self->state.meetings;
        self->send(self->state.mall, meet_atom::value, to);
      },
      [=](stop_atom) { return caf::make_message(count_atom::value, self->state.meetings); },
  };
}

struct mall_state {
  caf::response_promise client;
  caf::actor waiting;
  std::int64_t meetings_left = 0;
  std::int64_t creatures_left = 0;
  std::int64_t sum = 0;
};

caf::behavior mall(caf::stateful_actor<mall_state>* self) {
  return {
      [=](go_atom, const std::vector<caf::actor>& creatures, std::int64_t meetings) {
        auto& s = self->state;
        s.client = self->make_response_promise();
        s.meetings_left = meetings;
        s.creatures_left = static_cast<std::int64_t>(creatures.size());
        s.sum = 0;
        for (const auto& c : creatures)
          self->send(c, go_atom::value, caf::actor{self});
      },
      [=](meet_atom, std::int64_t is) {
        auto& s = self->state;
        auto from = caf::actor_cast<caf::actor>(self->current_sender());
        if (s.meetings_left == 0) {
          self->send(from, stop_atom::value);
        } else if (!s.waiting) {
          s.waiting = std::move(from);
        } else {
          --s.meetings_left;
          self->send(s.waiting, meet_atom::value, from, is);
          s.waiting = caf::actor{};
        }
      },
      [=](count_atom, std::int64_t meetings) {
        auto& s = self->state;
        s.sum += meetings;
        if (--s.creatures_left == 0) s.client.deliver(s.sum);
      },
  };
}

void run(benchmark::State& state) {
  const std::int64_t c = bench::size("chameneos.creatures", 100, 10);
  const std::int64_t meetings = bench::size("chameneos.meetings", 200'000, 1'000);
  system_for_row sys{state};
  caf::scoped_actor self{sys.get()};
  std::vector<caf::actor> creatures;
  for (std::int64_t i = 0; i < c; ++i)
    creatures.push_back(sys.get().spawn(creature, i % 3));
  const auto host = sys.get().spawn(mall);
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto sum = request_for<std::int64_t>(self, host, go_atom::value, creatures, meetings);
    if (!sum || *sum != 2 * meetings) {
      bench::fail(state, "caf/chameneos: no reply, or a wrong number of meetings");
      break;
    }
  }
  bench::report_items(state, meetings, "ns_per_meeting", clock);
  for (const auto& a : creatures)
    self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(host, caf::exit_reason::user_shutdown);
}

[[maybe_unused]] auto* const registered = bench::register_workload("caf/chameneos", run);

}  // namespace
