// Behaviour every base must show for timers (wakeup_after). On the simple base time is virtual
// and moves only in advance_time(); on the threaded base advance_time() sleeps.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

#include "support/bases.hpp"

using namespace std::chrono_literals;
using thespis::actor_exit_request;
using thespis::address;
using thespis::status_request;
using thespis::wakeup_handle;
using thespis::wakeup_message;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct wake_me {
  std::vector<std::chrono::milliseconds> delays;  // payload i+1 for delays[i]
};
struct wake_and_cancel {};
struct many_wakeups {
  int count;
};
struct wake_pair_cancel_second {};  // two wakeups due together; the first cancels the second
struct wake_and_cancel_earliest {
  std::chrono::milliseconds cancelled, kept;
};
struct wake_far_then_near {};  // "for ever" delays, then 5 ms
struct seen_request {};
struct seen {
  std::vector<int> payloads;
  std::vector<std::chrono::nanoseconds> delays;
  bool cancelled_once = false, cancelled_twice = false;
};

class sleeper : public thespis::actor {
 public:
  sleeper() {
    handle([this](const wake_me& w) {
      int payload = 0;
      for (auto d : w.delays)
        wakeup_after(d, ++payload);
    });
    handle([this](const wake_and_cancel&) {
      wakeup_handle h = wakeup_after(10ms, 99);
      seen_.cancelled_once = cancel_wakeup(h);
      seen_.cancelled_twice = cancel_wakeup(h);
    });
    handle([this](const wake_pair_cancel_second&) {
      wakeup_after(10ms, 1);
      second_ = wakeup_after(10ms, 2);
    });
    handle([this](const wake_and_cancel_earliest& w) {
      seen_.cancelled_once = cancel_wakeup(wakeup_after(w.cancelled, 99));
      wakeup_after(w.kept, 1);
    });
    handle([this](const wake_far_then_near&) {
      wakeup_after(std::chrono::seconds::max(), 1);
      wakeup_after(std::chrono::milliseconds::max(), 2);
      wakeup_after(std::chrono::hours(1'000'000'000), 3);  // beyond what nanoseconds hold
      wakeup_after(5ms, 4);
    });
    handle([this](const many_wakeups& m) {
      for (int i = 0; i < m.count; ++i)
        wakeup_after(std::chrono::hours(1));
    });
    handle([this](const wakeup_message& w) {
      seen_.payloads.push_back(w.payload ? w.payload.get<int>() : 0);
      seen_.delays.push_back(w.delay);
      if (second_ != wakeup_handle{}) seen_.cancelled_once = cancel_wakeup(second_);
    });
    handle([this](const seen_request&, const address& from) { send(from, seen_); });
  }

 private:
  seen seen_;
  wakeup_handle second_;
};

template <class System>
seen seen_by(System& sys, const address& a) {
  auto s = sys.template ask<seen>(a, seen_request{}, answer_within);
  REQUIRE(s);
  return *s;
}

template <class System>
seen wait_for_payloads(System& sys, const address& a, std::size_t n) {
  seen last;
  REQUIRE(eventually([&] {
    last = seen_by(sys, a);
    return last.payloads.size() >= n;
  }));
  return last;
}
}  // namespace

TEMPLATE_TEST_CASE("a wakeup arrives after its delay, carrying its payload", "[wakeup]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_me{{5ms}});
  sys.advance_time(10ms);
  auto s = wait_for_payloads(sys, a, 1);
  CHECK(s.payloads == std::vector<int>{1});
  CHECK(s.delays == std::vector<std::chrono::nanoseconds>{5ms});
}

TEMPLATE_TEST_CASE("a wakeup for ever away does not fire, and an ask for ever waits for its reply",
                   "[wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_far_then_near{});
  sys.advance_time(10ms);
  wait_for_payloads(sys, a, 1);
  auto s = sys.template ask<seen>(a, seen_request{}, std::chrono::seconds::max());
  REQUIRE(s);
  CHECK(s->payloads == std::vector<int>{4});
}

TEMPLATE_TEST_CASE("wakeups fire in deadline order, not in the order set", "[wakeup]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_me{{30ms, 10ms, 20ms}});
  sys.advance_time(40ms);
  auto s = wait_for_payloads(sys, a, 3);
  CHECK(s.payloads == std::vector<int>{2, 3, 1});
}

TEMPLATE_TEST_CASE("wakeups due at the same time arrive in the order they were set", "[wakeup]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_me{{10ms, 10ms, 10ms, 10ms, 10ms}});  // one deadline on the simple base
  sys.advance_time(20ms);
  auto s = wait_for_payloads(sys, a, 5);
  CHECK(s.payloads == std::vector<int>{1, 2, 3, 4, 5});
}

TEMPLATE_TEST_CASE("a wakeup with a negative delay counts as one with none", "[wakeup]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  // Due now, as the one without delay set just before it: not earlier, so it comes second.
  sys.tell(a, wake_me{{0ms, -10ms}});
  sys.advance_time(5ms);
  auto s = wait_for_payloads(sys, a, 2);
  CHECK(s.payloads == std::vector<int>{1, 2});
  CHECK(s.delays == std::vector<std::chrono::nanoseconds>{0ms, -10ms});  // as asked for
}

TEMPLATE_TEST_CASE("a cancelled wakeup is never delivered", "[wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_and_cancel{});
  sys.tell(a, wake_me{{20ms}});
  sys.advance_time(30ms);
  auto s = wait_for_payloads(sys, a, 1);
  CHECK(s.payloads == std::vector<int>{1});  // not 99
  CHECK(s.cancelled_once);
  CHECK_FALSE(s.cancelled_twice);
}

TEMPLATE_TEST_CASE("a wakeup set earlier than every pending one arrives at its own time",
                   "[wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_me{{std::chrono::hours(1), 10ms}});
  sys.advance_time(20ms);
  auto s = wait_for_payloads(sys, a, 1);
  CHECK(s.payloads == std::vector<int>{2});  // not held back by the one due in an hour
}

TEMPLATE_TEST_CASE("wakeups after a cancelled earliest one still arrive", "[wakeup]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_and_cancel_earliest{10ms, 20ms});
  sys.advance_time(30ms);
  auto s = wait_for_payloads(sys, a, 1);
  CHECK(s.payloads == std::vector<int>{1});
  CHECK(s.cancelled_once);
}

TEMPLATE_TEST_CASE("a wakeup cancelled after it came due, before the actor saw it, never arrives",
                   "[wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, wake_pair_cancel_second{});  // both due at once: the first's handler cancels
  sys.advance_time(20ms);
  auto s = wait_for_payloads(sys, a, 1);
  sys.advance_time(20ms);
  s = seen_by(sys, a);
  CHECK(s.payloads == std::vector<int>{1});
  CHECK(s.cancelled_once);
}

TEMPLATE_TEST_CASE(
    "an actor keeps its 100,000 pending wakeups itself, behind one system timer, and they die "
    "with it",
    "[wakeup]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  sys.tell(a, many_wakeups{100'000});
  auto status = sys.template ask<thespis::actor_status>(a, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->pending_wakeups == 100'000);
  CHECK(sys.status().pending_timers == 1);  // the actor's earliest: it keeps the rest itself
  sys.tell(a, actor_exit_request{});
  CHECK(eventually([&] { return sys.status().pending_timers == 0; }));
}

TEST_CASE("on the simple base, time moves only when the test advances it") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  address a = sys.create_actor<sleeper>();
  sys.tell(a, wake_me{{std::chrono::seconds(1)}});
  sys.advance_time(999ms);
  CHECK(seen_by(sys, a).payloads.empty());
  sys.advance_time(1ms);
  CHECK(seen_by(sys, a).payloads == std::vector<int>{1});
}

namespace {
// Logs "<name><payload>" for each wakeup it gets, into a log the test owns (the simple base runs
// every actor on the test's thread).
class logging_sleeper : public thespis::actor {
 public:
  logging_sleeper(std::string name, std::vector<std::string>* log) {
    handle([this](const wake_me& w) {
      for (auto d : w.delays)
        wakeup_after(d, static_cast<int>(d.count()));
    });
    handle([name, log](const wakeup_message& w) {
      log->push_back(name + std::to_string(w.payload.get<int>()));
    });
  }
};
}  // namespace

TEST_CASE("on the simple base, the wakeups of several actors arrive in one deadline order") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  std::vector<std::string> log;
  address a = sys.create_actor<logging_sleeper>(std::string("a"), &log);
  address b = sys.create_actor<logging_sleeper>(std::string("b"), &log);
  sys.tell(a, wake_me{{30ms, 10ms, 50ms}});
  sys.tell(b, wake_me{{40ms, 20ms}});
  sys.advance_time(60ms);  // one advance: the actors' timers interleave within it
  CHECK(log == std::vector<std::string>{"a10", "b20", "a30", "b40", "a50"});
}

namespace {
struct mail {
  int n;
};
struct mail_when_woken {
  address to;
  std::chrono::milliseconds delay;
};

// Logs its wakeups ("w<payload>") and its mail ("m<n>") into a log the test owns.
class mail_logger : public thespis::actor {
 public:
  explicit mail_logger(std::vector<std::string>* log) {
    handle([this](const wake_me& w) {
      int payload = 0;
      for (auto d : w.delays)
        wakeup_after(d, ++payload);
    });
    handle([log](const wakeup_message& w) {
      log->push_back("w" + std::to_string(w.payload.get<int>()));
    });
    handle([log](const mail& m) { log->push_back("m" + std::to_string(m.n)); });
  }
};

// When its wakeup comes, mails two messages to another actor.
class waking_mailer : public thespis::actor {
 public:
  waking_mailer() {
    handle([this](const mail_when_woken& m) {
      to_ = m.to;
      wakeup_after(m.delay);
    });
    handle([this](const wakeup_message&) {
      send(to_, mail{1});
      send(to_, mail{2});
    });
  }

 private:
  address to_;
};
}  // namespace

TEST_CASE(
    "on the simple base, wakeups that came due are handled ahead of mail queued behind them") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  std::vector<std::string> log;
  address mailer = sys.create_actor<waking_mailer>();
  address logger = sys.create_actor<mail_logger>(&log);
  sys.tell(mailer, mail_when_woken{logger, 10ms});  // its timer is set first, so fires first:
  sys.tell(logger, wake_me{{10ms, 10ms}});          // the mail lands behind the logger's notice
  sys.advance_time(10ms);
  CHECK(log == std::vector<std::string>{"w1", "w2", "m1", "m2"});
}

namespace {
struct poke {};
class transient_worker : public thespis::actor {
 public:
  explicit transient_worker(std::chrono::milliseconds after) {
    exit_after_first_message(after);
    handle([this](const poke&, const address& from) { send(from, true); });
  }
};
class idle_worker : public thespis::actor {
 public:
  explicit idle_worker(std::chrono::milliseconds idle) {
    exit_when_idle_for(idle);
    handle([this](const poke&, const address& from) { send(from, true); });
  }
};

// A transient actor's set time: on the simple base (virtual time) the test stops just short of
// it; on the threaded base it is long enough that the check right after the first message
// comes well before it.
template <class Base>
constexpr std::chrono::milliseconds set_time =
    std::is_same_v<Base, thespis::test::simple_base> ? 100ms : 1000ms;

// Moves to just before `set_time` after now: virtual time on the simple base; on the threaded
// base (where advance_time sleeps) no wait at all.
template <class Base>
void advance_to_just_before_set_time(thespis::actor_system& sys) {
  if constexpr (std::is_same_v<Base, thespis::test::simple_base>) {
    sys.advance_time(set_time<Base> - 1ms);
  }
}
}  // namespace

TEMPLATE_TEST_CASE("a transient actor exits a set time after its first message, not before",
                   "[transient]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<transient_worker>(set_time<TestType>);
  address poked = sys.template create_actor<transient_worker>(set_time<TestType>);
  REQUIRE(sys.template ask<bool>(poked, poke{}, answer_within));  // its first message, handled
  advance_to_just_before_set_time<TestType>(sys);
  CHECK(sys.live_actor_count() == 2);
  sys.advance_time(set_time<TestType>);
  // Only the one that got a message is gone; the other never started its clock.
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));
}

TEMPLATE_TEST_CASE(
    "an idle-transient actor exits once it has been idle for its set time, not "
    "before",
    "[transient]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<idle_worker>(set_time<TestType>);
  REQUIRE(sys.template ask<bool>(a, poke{}, answer_within));
  advance_to_just_before_set_time<TestType>(sys);
  CHECK(sys.live_actor_count() == 1);
  sys.advance_time(set_time<TestType>);
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

TEST_CASE("on the simple base, every message restarts an idle-transient actor's clock") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  address a = sys.create_actor<idle_worker>(100ms);
  sys.tell(a, poke{});
  sys.advance_time(60ms);
  sys.tell(a, poke{});
  sys.advance_time(60ms);
  CHECK(sys.live_actor_count() == 1);  // idle for 60 ms only
  sys.advance_time(40ms);
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE("an idle-transient actor that is never sent anything exits after its set time",
                   "[transient]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<idle_worker>(set_time<TestType>);
  advance_to_just_before_set_time<TestType>(sys);
  CHECK(sys.live_actor_count() == 1);
  sys.advance_time(set_time<TestType>);  // its clock started when it was made
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

TEMPLATE_TEST_CASE("a set time of zero makes a transient actor exit at once, not never",
                   "[transient]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address once = sys.template create_actor<transient_worker>(0ms);
  sys.template create_actor<idle_worker>(0ms);
  REQUIRE(sys.template ask<bool>(once, poke{}, answer_within));
  sys.advance_time(0ms);  // the simple base fires what is due now
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.dead_letter_count() == 0);
}

TEST_CASE("on the simple base, virtual time stops at the end of time instead of overflowing") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  for (int i = 0; i < 3; ++i)
    sys.advance_time(std::chrono::hours::max());  // the third went past what a clock can hold
  address a = sys.create_actor<sleeper>();
  sys.tell(a, wake_me{{std::chrono::seconds(1)}});  // due at the end of time, not before now
  sys.advance_time(std::chrono::seconds(1));
  CHECK(seen_by(sys, a).payloads == std::vector<int>{1});
  // An idle-transient actor's clock counts from the end of time too (it overflowed, under UBSan).
  address idler = sys.create_actor<idle_worker>(std::chrono::milliseconds(1000));
  CHECK(sys.ask<bool>(idler, poke{}, answer_within) == true);
}
