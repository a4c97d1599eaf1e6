// Behaviour every base must show for timers (wakeup_after). On the simple base time is virtual
// and moves only in advance_time(); on the threaded base advance_time() sleeps.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
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
seen wait_for_payloads(System& sys, const address& a, std::size_t n) {
  seen last;
  REQUIRE(eventually([&] {
    last = *sys.template ask<seen>(a, seen_request{}, answer_within);
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
  s = *sys.template ask<seen>(a, seen_request{}, answer_within);
  CHECK(s.payloads == std::vector<int>{1});
  CHECK(s.cancelled_once);
}

TEMPLATE_TEST_CASE("100,000 pending wakeups are cheap and die with their actor", "[wakeup]",
                   THESPIS_BASES) {
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
  CHECK(sys.ask<seen>(a, seen_request{}, answer_within)->payloads.empty());
  sys.advance_time(1ms);
  CHECK(sys.ask<seen>(a, seen_request{}, answer_within)->payloads == std::vector<int>{1});
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
struct poke {};
class transient_worker : public thespis::actor {
 public:
  transient_worker() {
    exit_after_first_message(100ms);
    handle([](const poke&) {});
  }
};
class idle_worker : public thespis::actor {
 public:
  idle_worker() {
    exit_when_idle_for(100ms);
    handle([](const poke&) {});
  }
};
}  // namespace

TEMPLATE_TEST_CASE("a transient actor exits a set time after its first message", "[transient]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<transient_worker>();
  sys.tell(sys.template create_actor<transient_worker>(), poke{});
  sys.advance_time(150ms);
  // Only the one that got a message is gone; the other never started its clock.
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));
}

TEMPLATE_TEST_CASE("an idle-transient actor exits once it has been idle for its set time",
                   "[transient]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.tell(sys.template create_actor<idle_worker>(), poke{});
  sys.advance_time(150ms);
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

TEST_CASE("on the simple base, every message restarts an idle-transient actor's clock") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  address a = sys.create_actor<idle_worker>();
  sys.tell(a, poke{});
  sys.advance_time(60ms);
  sys.tell(a, poke{});
  sys.advance_time(60ms);
  CHECK(sys.live_actor_count() == 1);  // idle for 60 ms only
  sys.advance_time(40ms);
  CHECK(sys.live_actor_count() == 0);
}
