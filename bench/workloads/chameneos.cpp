// chameneos (Savina): c creatures meet in pairs at a mall until it has hosted `meetings`
// meetings; at each meeting both take the complement of their two colours. One meeting is four
// messages (two requests, the pairing, the colour change) through one contended actor, the mall.
#include <cstdint>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

enum class colour : std::uint8_t { blue, red, yellow };

// Returns the colour two creatures take after a meeting (Savina's rule).
colour complement(colour a, colour b) {
  if (a == b) return a;
  return static_cast<colour>(3 - static_cast<int>(a) - static_cast<int>(b));
}

struct start {
  thespis::address mall;
};
struct meet_request {
  colour is;
};
struct meet {  // from the mall: `partner` waits for a change of colour
  thespis::address partner;
  colour partner_is;
};
struct change {
  colour to;
};
struct stop {};
struct meeting_count {
  std::int64_t meetings;
};
struct open_mall {
  std::vector<thespis::address> creatures;
  std::int64_t meetings;
};
struct mall_closed {
  std::int64_t meetings;  // the sum over creatures: twice the meetings hosted
};

class creature : public thespis::actor {
 public:
  explicit creature(colour initial) : initial_(initial) {
    handle([this](const start& s) {
      mall_ = s.mall;
      is_ = initial_;
      meetings_ = 0;
      send(mall_, meet_request{is_});
    });
    handle([this](const meet& m) {
      is_ = complement(is_, m.partner_is);
      ++meetings_;
      send(m.partner, change{is_});
      send(mall_, meet_request{is_});
    });
    handle([this](const change& c) {
      is_ = c.to;
      ++meetings_;
      send(mall_, meet_request{is_});
    });
    handle([this](stop) { send(mall_, meeting_count{meetings_}); });
  }

 private:
  colour initial_;
  colour is_ = colour::blue;
  thespis::address mall_;
  std::int64_t meetings_ = 0;
};

class mall : public thespis::actor {
 public:
  mall() {
    handle([this](const open_mall& o, const thespis::address& from) {
      client_ = from;
      meetings_left_ = o.meetings;
      creatures_left_ = static_cast<std::int64_t>(o.creatures.size());
      sum_ = 0;
      for (const auto& c : o.creatures)
        send(c, start{self()});
    });
    handle([this](const meet_request& r, const thespis::address& from) {
      if (meetings_left_ == 0) {
        send(from, stop{});
      } else if (!waiting_) {
        waiting_ = from;
      } else {
        --meetings_left_;
        send(waiting_, meet{from, r.is});
        waiting_ = thespis::address{};
      }
    });
    handle([this](const meeting_count& c) {
      sum_ += c.meetings;
      if (--creatures_left_ == 0) send(client_, mall_closed{sum_});
    });
  }

 private:
  thespis::address client_;
  thespis::address waiting_;
  std::int64_t meetings_left_ = 0;
  std::int64_t creatures_left_ = 0;
  std::int64_t sum_ = 0;
};

void run(benchmark::State& state) {
  const std::int64_t c = bench::size("chameneos.creatures", 100, 10);
  const std::int64_t meetings = bench::size("chameneos.meetings", 200'000, 1'000);
  thespis::actor_system sys{bench::threaded_config(state)};
  std::vector<thespis::address> creatures;
  for (std::int64_t i = 0; i < c; ++i)
    creatures.push_back(sys.create_actor<creature>(static_cast<colour>(i % 3)));
  const auto host = sys.create_actor<mall>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto closed = bench::ask_for<mall_closed>(sys, host, open_mall{creatures, meetings});
    if (!closed || closed->meetings != 2 * meetings) {
      bench::fail(state, "chameneos: no reply, or a wrong number of meetings");
      break;
    }
  }
  bench::report_items(state, meetings, "ns_per_meeting", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/chameneos", run);

}  // namespace
