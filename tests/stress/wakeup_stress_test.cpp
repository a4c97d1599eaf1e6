// Wakeups under load on the threaded base: actors arm wakeups with random delays, cancel them at
// random — before they come due, and after: some are armed in twins with the same delay, taken
// together, and the first to arrive cancels its twin waiting behind it — and arm more while
// others fire (so the earliest deadline moves often and the timer thread's
// one timer per actor is replaced while it may be firing). Every wakeup not cancelled must
// arrive exactly once and never before its deadline; a cancelled one never arrives; cancel
// must say truly whether it stopped one.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <latch>
#include <random>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;
using clock_type = std::chrono::steady_clock;

namespace {
constexpr int jugglers = 50;
constexpr int first_round = 2'000;  // wakeups armed at once by each juggler
constexpr int most = 3'000;         // and up to this many in all, armed as others arrive

struct start {};
struct verdict_request {};
struct verdict {
  std::uint64_t armed = 0, arrived = 0, cancelled = 0;
  std::uint64_t early = 0, twice = 0, after_cancel = 0, wrong_cancel_answer = 0, left = 0;
  std::uint64_t poisoned = 0;  // a handler threw: a wakeup came without its payload
};

class juggler : public thespis::actor {
 public:
  juggler(unsigned seed, std::latch* done) : random_(seed), done_(done) {
    handle([this](const start&) {
      for (int i = 0; i < first_round; ++i)
        arm();
      for (int i = 0; i < first_round / 4; ++i)
        cancel_one();
      report_if_done();
    });
    handle([this](const thespis::wakeup_message& w) {
      const auto now = clock_type::now();
      wakeup& mine = wakeups_[static_cast<std::size_t>(w.payload.get<int>())];
      v_.twice += mine.arrived;
      v_.after_cancel += mine.cancelled;
      v_.early += now < mine.deadline;
      mine.arrived = true;
      ++v_.arrived;
      if (mine.twin >= 0) cancel(wakeups_[static_cast<std::size_t>(mine.twin)]);
      if (random_() % 3 == 0) cancel_one();  // maybe one taken with this one, not handled yet
      if (random_() % 2 == 0 && wakeups_.size() < most) arm();
      report_if_done();
    });
    handle([this](const thespis::poison_message&) { ++v_.poisoned; });
    handle([this](const verdict_request&, const address& from) {
      verdict v = v_;
      for (const wakeup& w : wakeups_)
        v.left += !w.arrived && !w.cancelled;
      send(from, v);
    });
  }

 private:
  struct wakeup {
    thespis::wakeup_handle handle;
    clock_type::time_point deadline;  // read before arming: never later than the real one
    int twin = -1;                    // armed right after it with the same delay: it cancels it
    bool arrived = false, cancelled = false;
  };

  void arm() {
    const auto delay = std::chrono::microseconds(random_() % 2'000);
    const bool twins = random_() % 4 == 0;
    for (int i = 0; i < (twins ? 2 : 1); ++i) {
      const auto deadline = clock_type::now() + delay;
      const int index = static_cast<int>(wakeups_.size());
      wakeups_.push_back(wakeup{wakeup_after(delay, index), deadline});
      ++v_.armed;
    }
    if (twins) wakeups_[wakeups_.size() - 2].twin = static_cast<int>(wakeups_.size() - 1);
  }

  void cancel_one() { cancel(wakeups_[random_() % wakeups_.size()]); }

  void cancel(wakeup& w) {
    const bool stopped = cancel_wakeup(w.handle);
    v_.wrong_cancel_answer += stopped != (!w.arrived && !w.cancelled);
    if (stopped) {
      w.cancelled = true;
      ++v_.cancelled;
    }
  }

  void report_if_done() {
    if (reported_ || v_.arrived + v_.cancelled < v_.armed) return;
    reported_ = true;
    done_->count_down();
  }

  std::mt19937 random_;
  std::latch* done_;
  std::vector<wakeup> wakeups_;
  verdict v_;
  bool reported_ = false;
};
}  // namespace

TEST_CASE(
    "wakeups armed and cancelled at random by 50 actors on 4 workers arrive once, on time, "
    "unless cancelled") {
  std::latch done(jugglers);  // declared first: outlives the system, whose actors count it down
  thespis::actor_system sys{
      thespis::system_config{.base = "threaded", .workers = 4, .message_budget = 16}};
  std::vector<address> all;
  for (int i = 0; i < jugglers; ++i)
    all.push_back(sys.create_actor<juggler>(static_cast<unsigned>(i + 1), &done));
  for (const address& a : all)
    sys.tell(a, start{});
  // Bounded: a lost wakeup leaves its juggler waiting; the verdicts below then say which.
  const bool all_done = thespis::test::eventually([&] { return done.try_wait(); });

  verdict total;
  int unfinished = 0;  // jugglers still waiting for a wakeup
  for (const address& a : all) {
    const auto v = sys.ask<verdict>(a, verdict_request{}, answer_within);
    REQUIRE(v);
    unfinished += v->left > 0;
    total.armed += v->armed;
    total.arrived += v->arrived;
    total.cancelled += v->cancelled;
    total.early += v->early;
    total.twice += v->twice;
    total.after_cancel += v->after_cancel;
    total.wrong_cancel_answer += v->wrong_cancel_answer;
    total.left += v->left;
    total.poisoned += v->poisoned;
  }
  INFO("armed " << total.armed << ", arrived " << total.arrived << ", cancelled " << total.cancelled
                << ", neither arrived nor cancelled " << total.left);
  INFO(unfinished << " of " << jugglers << " jugglers still wait for a wakeup");
  CHECK(all_done);
  CHECK(total.armed > std::uint64_t{jugglers} * first_round);
  CHECK(total.cancelled > 0);
  CHECK(total.arrived + total.cancelled == total.armed);
  CHECK(total.left == 0);
  CHECK(total.early == 0);
  CHECK(total.twice == 0);
  CHECK(total.after_cancel == 0);
  CHECK(total.wrong_cancel_answer == 0);
  CHECK(total.poisoned == 0);
  CHECK(sys.dead_letter_count() == 0);
}
