// Timed calls of plain-object actors (context::call_after), on every base. On the simple base
// time is virtual and moves only in advance_time(); on the threaded base advance_time() sleeps.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/bases.hpp"

using namespace std::chrono_literals;
using thespis::address;
using thespis::message_meta;
using thespis::wakeup_handle;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
class unrelated {
 public:
  void poke() {}
};

// Arms calls of its own methods and records what they were given.
class alarm_clock {
 public:
  explicit alarm_clock(thespis::context& ctx) : ctx_(ctx) {}

  void ring_after(std::vector<std::chrono::milliseconds> delays) {
    for (std::size_t i = 0; i < delays.size(); ++i)
      ctx_.call_after(delays[i], &alarm_clock::ring, static_cast<int>(i) + 1);
  }
  void ring(int n) { rung_.push_back(n); }

  void hand_over_after(std::chrono::milliseconds delay, int n) {
    ctx_.call_after(delay, &alarm_clock::take, std::make_unique<int>(n));
  }
  void take(std::unique_ptr<int> n) { rung_.push_back(*n); }

  // Arms two calls and cancels the first; reports what the two cancels returned.
  std::vector<bool> ring_and_cancel(std::chrono::milliseconds delay) {
    wakeup_handle h = ctx_.call_after(delay, &alarm_clock::ring, 99);
    ctx_.call_after(delay, &alarm_clock::ring, 1);
    const bool first = ctx_.cancel_wakeup(h);
    const bool second = ctx_.cancel_wakeup(h);
    return {first, second};
  }

  void ask_who_after(std::chrono::milliseconds delay) {
    ctx_.call_after(delay, &alarm_clock::who, std::string("timed"));
  }
  void who(const std::string& tag, const message_meta& meta) {
    senders_.push_back(meta.sender);
    recipients_.push_back(meta.recipient);
    tags_.push_back(tag);
  }

  std::string arm_another_class() {
    try {
      ctx_.call_after(1ms, &unrelated::poke);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  }

  // Throws on its first run: a timed call fails as a told call does (retried once).
  void flaky_after(std::chrono::milliseconds delay) {
    ctx_.call_after(delay, &alarm_clock::flaky, 7);
  }
  void flaky(int n) {
    if (++attempts_ == 1) throw std::runtime_error("first attempt fails");
    rung_.push_back(n);
  }

  std::vector<int> rung() const { return rung_; }
  int attempts() const { return attempts_; }
  std::vector<address> senders() const { return senders_; }
  std::vector<address> recipients() const { return recipients_; }
  std::vector<std::string> tags() const { return tags_; }

 private:
  thespis::context& ctx_;
  std::vector<int> rung_;
  int attempts_ = 0;
  std::vector<address> senders_, recipients_;
  std::vector<std::string> tags_;
};

// The docs' example (docs/calculon.md), with the expiry a parameter: any activity postpones it.
class session {
 public:
  explicit session(thespis::context& ctx,
                   std::chrono::milliseconds expiry = std::chrono::minutes(5))
      : ctx_(ctx), expiry_after_(expiry) {
    arm();
  }
  void touch() {
    ctx_.cancel_wakeup(expiry_);
    arm();
  }
  void expire() { ctx_.exit(); }

 private:
  void arm() { expiry_ = ctx_.call_after(expiry_after_, &session::expire); }
  thespis::context& ctx_;
  std::chrono::milliseconds expiry_after_;
  wakeup_handle expiry_;
};

// Arms a call in dispose(), an hour away: it must die with the instance, as the calls armed
// before it do, rather than wait an hour holding the gone actor's cell.
struct dispose_tally {
  std::atomic<int> built{0};
};
class arms_in_dispose {
 public:
  arms_in_dispose(thespis::context& ctx, std::shared_ptr<dispose_tally> t)
      : ctx_(ctx), t_(std::move(t)) {
    ++t_->built;
  }
  void fail() { throw std::runtime_error("fails: a restart, when supervised"); }
  void leave() { ctx_.exit(); }
  void dispose() { ctx_.call_after(std::chrono::hours(1), &arms_in_dispose::called); }
  void called() {}

 private:
  thespis::context& ctx_;
  std::shared_ptr<dispose_tally> t_;
};

// Supervises an arms_in_dispose child and hands out its address.
struct get_child {};
class dispose_parent : public thespis::actor {
 public:
  explicit dispose_parent(std::shared_ptr<dispose_tally> t) {
    child_ = create_actor<arms_in_dispose>(thespis::supervision{}, std::move(t)).address();
    handle([this](const get_child&, const address& from) { send(from, child_); });
  }

 private:
  address child_;
};

template <class Ref>
std::vector<int> wait_for_rings(Ref& clock, std::size_t n) {
  std::vector<int> last;
  REQUIRE(eventually([&] {
    last = clock.ask(&alarm_clock::rung, answer_within);
    return last.size() >= n;
  }));
  return last;
}
}  // namespace

TEMPLATE_TEST_CASE("a plain object's timed call runs its method after the delay, in deadline order",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  clock.tell(&alarm_clock::ring_after, std::vector{30ms, 10ms, 20ms, 10ms});
  sys.advance_time(5ms);
  CHECK(clock.ask(&alarm_clock::rung, answer_within).empty());  // none due yet
  sys.advance_time(40ms);
  // Deadline order; the two due together in the order armed.
  CHECK(wait_for_rings(clock, 4) == std::vector<int>{2, 4, 3, 1});
}

TEMPLATE_TEST_CASE("a plain object's timed call takes a move-only argument",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  clock.tell(&alarm_clock::hand_over_after, 5ms, 42);
  sys.advance_time(10ms);
  CHECK(wait_for_rings(clock, 1) == std::vector<int>{42});
}

TEMPLATE_TEST_CASE("a cancelled timed call never runs, and cancelling it again says so",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  CHECK(clock.ask(&alarm_clock::ring_and_cancel, answer_within, 10ms) ==
        std::vector<bool>{true, false});
  sys.advance_time(20ms);
  wait_for_rings(clock, 1);
  sys.advance_time(20ms);
  CHECK(clock.ask(&alarm_clock::rung, answer_within) == std::vector<int>{1});  // never 99
}

TEMPLATE_TEST_CASE("a timed call's method sees the actor itself as sender and recipient",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  clock.tell(&alarm_clock::ask_who_after, 5ms);
  sys.advance_time(10ms);
  REQUIRE(eventually([&] { return clock.ask(&alarm_clock::tags, answer_within).size() == 1; }));
  CHECK(clock.ask(&alarm_clock::tags, answer_within) == std::vector<std::string>{"timed"});
  CHECK(clock.ask(&alarm_clock::senders, answer_within) == std::vector<address>{clock.address()});
  CHECK(clock.ask(&alarm_clock::recipients, answer_within) ==
        std::vector<address>{clock.address()});
}

TEMPLATE_TEST_CASE("a timed call of another class's method is refused, naming both classes",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  const std::string why = clock.ask(&alarm_clock::arm_another_class, answer_within);
  CHECK_THAT(why, Catch::Contains("unrelated") && Catch::Contains("alarm_clock"));
}

TEMPLATE_TEST_CASE("a timed call that throws is retried once, as a told call is",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto clock = sys.template create_actor<alarm_clock>();
  clock.tell(&alarm_clock::flaky_after, 5ms);
  sys.advance_time(10ms);
  CHECK(wait_for_rings(clock, 1) == std::vector<int>{7});
  CHECK(clock.ask(&alarm_clock::attempts, answer_within) == 2);
}

TEMPLATE_TEST_CASE("a plain object that calls exit from a timed call is gone once it is due",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto s = sys.template create_actor<session>(5ms);
  CHECK(sys.live_actor_count() == 1);
  sys.advance_time(10ms);
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

// Virtual time only: on the threaded base the minutes would be slept.
TEST_CASE("a timed call cancelled and armed again on each activity postpones the expiry",
          "[plain-object][wakeup]") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  auto s = sys.create_actor<session>();
  for (int i = 0; i < 3; ++i) {
    sys.advance_time(std::chrono::minutes(4));
    s.tell(&session::touch);
  }
  CHECK(sys.live_actor_count() == 1);  // 12 minutes in, never 5 without a touch
  sys.advance_time(std::chrono::minutes(5));
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE("a timed call armed in dispose() as the actor exits dies with it",
                   "[plain-object][wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto t = std::make_shared<dispose_tally>();
  sys.template create_actor<arms_in_dispose>(t).tell(&arms_in_dispose::leave);
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(eventually([&] { return sys.status().pending_timers == 0; }));
}

TEMPLATE_TEST_CASE(
    "a timed call armed in dispose() during a restart never reaches the new instance",
    "[plain-object][wakeup][supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto t = std::make_shared<dispose_tally>();
  const address parent = sys.template create_actor<dispose_parent>(t);
  auto child = sys.template ask<address>(parent, get_child{}, answer_within);
  REQUIRE(child);
  auto c = sys.template ref<arms_in_dispose>(*child);
  c.tell(&arms_in_dispose::fail);  // fails twice: the child is restarted
  REQUIRE(eventually([&] { return t->built.load() == 2; }));
  CHECK(eventually([&] { return sys.status().pending_timers == 0; }));
}
