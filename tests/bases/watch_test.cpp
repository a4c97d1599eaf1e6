// Watching: any actor hears when, and why, another exits.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "support/bases.hpp"

using thespis::actor_exit_request;
using thespis::actor_exited;
using thespis::address;
using thespis::exit_reason;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct watch_this {
  address target;
  bool start = true;
};

// Watches what it is told to and reports each exit it hears of to whoever asked it to watch.
class watcher : public thespis::actor {
 public:
  watcher() {
    handle([this](const watch_this& w, const address& from) {
      reporter_ = from;
      if (w.start) {
        watch(w.target);
      } else {
        unwatch(w.target);
      }
      send(from, true);
    });
    handle([this](const actor_exited& e) { send(reporter_, e); });
  }

 private:
  address reporter_;
};

class bystander : public thespis::actor {};

// Has `w` start (or stop) watching `target`; its reports then come to sys.listen().
bool tell_to_watch(thespis::actor_system& sys, const address& w, const address& target,
                   bool start = true) {
  sys.tell(w, watch_this{target, start});
  auto ack = sys.listen(answer_within);
  return ack && ack->is<bool>();
}

class idler : public thespis::actor {
 public:
  idler() { exit_when_idle_for(std::chrono::milliseconds(20)); }
};
}  // namespace

TEMPLATE_TEST_CASE("any actor can watch another and hears when and why it exits", "[watch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<bystander>();  // not the watcher's child
  REQUIRE(tell_to_watch(sys, w, target));
  sys.tell(target, actor_exit_request{});
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<actor_exited>();
  CHECK(exited.actor == target);
  CHECK(exited.reason == exit_reason::requested);
}

TEMPLATE_TEST_CASE("watching an actor that is already gone reports it at once", "[watch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<bystander>();
  sys.tell(target, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  REQUIRE(tell_to_watch(sys, w, target));
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<actor_exited>();
  CHECK(exited.actor == target);
  CHECK(exited.reason == exit_reason::unknown);
}

TEMPLATE_TEST_CASE("an actor that stops watching hears nothing", "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<bystander>();
  REQUIRE(tell_to_watch(sys, w, target));
  REQUIRE(tell_to_watch(sys, w, target, false));
  sys.tell(target, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(50)));
}

TEMPLATE_TEST_CASE("watchers hear that an idle actor retired", "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<idler>();
  REQUIRE(tell_to_watch(sys, w, target));
  sys.tell(target, 1);  // its first message starts the idle clock
  sys.advance_time(std::chrono::milliseconds(100));
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  CHECK(heard->template take<actor_exited>().reason == exit_reason::idle);
}

namespace {
struct watch_briefly {
  address target;
};
struct ping {};

// Starts watching, asks the target to exit, and stops watching before the target handled that.
class fickle_watcher : public thespis::actor {
 public:
  fickle_watcher() {
    handle([this](const watch_this& w, const address& from) {
      reporter_ = from;
      watch(w.target);
      send(from, true);
    });
    handle([this](const watch_briefly& w) {
      send(w.target, actor_exit_request{});
      unwatch(w.target);  // queued behind the exit request: the target exits with it unread
    });
    handle(
        [this](const actor_exited&) { send(reporter_, std::string("the fickle one was told")); });
    handle([this](const ping&, const address& from) { send(from, true); });
  }

 private:
  address reporter_;
};
}  // namespace

TEMPLATE_TEST_CASE("a watcher that stopped watching is not told, even if the target exits first",
                   "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address fickle = sys.template create_actor<fickle_watcher>();
  address steady = sys.template create_actor<watcher>();
  address target = sys.template create_actor<bystander>();
  REQUIRE(tell_to_watch(sys, fickle, target));
  REQUIRE(tell_to_watch(sys, steady, target));
  sys.tell(fickle, watch_briefly{target});
  int fickle_told = 0;
  for (;;) {  // until the steady watcher's report
    auto heard = sys.listen(answer_within);
    REQUIRE(heard);
    if (heard->template is<std::string>()) {
      ++fickle_told;
      continue;
    }
    CHECK(heard->template take<actor_exited>().actor == target);
    break;
  }
  // Whatever the target told the fickle watcher reached it before this ping (the target told
  // it before the steady one), so any report it made is in the listening inbox by the answer.
  REQUIRE(sys.template ask<bool>(fickle, ping{}, answer_within));
  while (auto late = sys.listen(std::chrono::milliseconds(0)))
    if (late->template is<std::string>()) ++fickle_told;
  CHECK(fickle_told == 0);
}
