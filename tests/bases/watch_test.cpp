// Watching: any actor hears when, and why, another exits.
#include <catch2/catch.hpp>

#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

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
struct ping {};

// Its constructor waits for a gate, then throws.
class doomed : public thespis::actor {
 public:
  explicit doomed(const std::shared_ptr<std::latch>& gate) {
    gate->wait();
    throw std::runtime_error("not built");
  }
};

// Asks a watcher to create a doomed child and watch it at once.
struct watch_doomed_child {
  std::shared_ptr<std::latch> gate;
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
    handle([this](const watch_doomed_child& w, const address& from) {
      reporter_ = from;
      const address child = create_actor<doomed>(w.gate);
      watch(child);  // queued before its constructor can throw: the gate is still closed
      send(from, child);
    });
    handle([this](const actor_exited& e) { send(reporter_, e); });
    handle([this](const ping&, const address& from) { send(from, true); });
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

// Retires when idle, from when it is told to: a clock started when it was made may run out
// before a watch begins on a starved machine (the watcher then heard "unknown", gone before).
struct retire_when_idle {};
class idler : public thespis::actor {
 public:
  idler() {
    handle([this](const retire_when_idle&) { exit_when_idle_for(std::chrono::milliseconds(20)); });
  }
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

TEMPLATE_TEST_CASE("watching the null address reports at once that no actor is there", "[watch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  REQUIRE(tell_to_watch(sys, w, address{}));
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<actor_exited>();
  CHECK_FALSE(exited.actor);
  CHECK(exited.reason == exit_reason::unknown);
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("an actor that stops watching hears nothing", "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<bystander>();
  REQUIRE(tell_to_watch(sys, w, target));
  REQUIRE(tell_to_watch(sys, w, target, false));
  sys.tell(target, actor_exit_request{});
  // The target tells its watchers before it leaves the count of live actors; the ping then
  // comes after any notice, so whatever the watcher reported is in the inbox by the answer.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  REQUIRE(sys.template ask<bool>(w, ping{}, answer_within));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
}

TEMPLATE_TEST_CASE("watchers hear that an idle actor retired", "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<idler>();
  REQUIRE(tell_to_watch(sys, w, target));  // the watch request is queued at the target first
  sys.tell(target, retire_when_idle{});
  sys.advance_time(std::chrono::milliseconds(100));
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  CHECK(heard->template take<actor_exited>().reason == exit_reason::idle);
}

namespace {
struct watch_briefly {
  address target;
};
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

namespace {
class gpu_user : public thespis::actor {
 public:
  static thespis::requirements actor_requirements() {
    return thespis::requirements{}.require_capability("gpu");
  }
};
}  // namespace

TEMPLATE_TEST_CASE("watchers hear that an actor exited because a capability it needs was lost",
                   "[watch]", THESPIS_BASES) {
  thespis::system_config config;
  config.capabilities["gpu"] = true;
  thespis::actor_system sys{config_for<TestType>(config)};
  address w = sys.template create_actor<watcher>();
  address target = sys.template create_actor<gpu_user>();
  REQUIRE(tell_to_watch(sys, w, target));
  sys.update_capability("gpu");  // removed
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<actor_exited>();
  CHECK(exited.actor == target);
  CHECK(exited.reason == exit_reason::capability_lost);
}

TEMPLATE_TEST_CASE("watchers hear that an actor's constructor threw", "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  auto gate = std::make_shared<std::latch>(1);
  constexpr bool simple = std::is_same_v<TestType, thespis::test::simple_base>;
  // The simple base builds the child within the tell, on this thread: its gate must be open.
  if constexpr (simple) gate->count_down();
  sys.tell(w, watch_doomed_child{gate});
  auto child = sys.listen(answer_within);
  REQUIRE(child);
  REQUIRE(child->template is<address>());
  if constexpr (!simple) gate->count_down();  // the watch is queued: now the constructor throws
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<actor_exited>();
  CHECK(exited.actor == child->template get<address>());
  CHECK(exited.reason == exit_reason::construction_failed);
}

TEMPLATE_TEST_CASE("a watcher that exits is forgotten by the actor it watched", "[watch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address service = sys.template create_actor<bystander>();
  for (int i = 0; i < 200; ++i) {
    address w = sys.template create_actor<watcher>();
    REQUIRE(sys.template ask<bool>(w, watch_this{service}, answer_within));
    sys.tell(w, actor_exit_request{});
  }
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  // The service's exit has nobody left to tell: no notice to a gone watcher, no dead letter.
  sys.tell(service, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.shutdown().clean());
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("an actor that watches itself exits without a dead letter", "[watch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<watcher>();
  REQUIRE(sys.template ask<bool>(w, watch_this{w}, answer_within));
  sys.tell(w, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.shutdown().clean());
  CHECK(sys.dead_letter_count() == 0);
}

namespace {
struct heard_count {};
// Watches what it is told to and counts the exits it hears of, keeping no address of them.
class counting_watcher : public thespis::actor {
 public:
  counting_watcher() {
    handle([this](const watch_this& w, const address& from) {
      watch(w.target);
      send(from, true);
    });
    handle([this](const actor_exited&) { ++heard_; });
    handle([this](const heard_count&, const address& from) { send(from, heard_); });
  }

 private:
  int heard_ = 0;
};
}  // namespace

TEMPLATE_TEST_CASE("a watcher does not keep the actors it watched once it heard they exited",
                   "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address w = sys.template create_actor<counting_watcher>();
  // Each target's cell keeps the requirements it was created with, so the token's use count
  // tells how many of their cells are still allocated: the exited actors' objects are gone
  // either way, and what outlives them is the cell that a watcher's reference keeps.
  auto token = std::make_shared<int>(0);
  constexpr int targets = 50;
  for (int i = 0; i < targets; ++i) {
    address target = sys.template create_actor<bystander>(thespis::requirements{}.require(
        [token](const thespis::capability_map&, const thespis::requirements&) { return true; }));
    REQUIRE(sys.template ask<bool>(w, watch_this{target}, answer_within));
    sys.tell(target, actor_exit_request{});
  }
  // Each ask also makes the watcher let go of the last sender it handled (see
  // sender_references.hpp), which may be a target.
  const auto heard = [&] { return sys.template ask<int>(w, heard_count{}, answer_within); };
  REQUIRE(eventually([&] { return heard() == targets; }));
  CHECK(eventually([&] { return heard() && token.use_count() == 1; }));
}

namespace {
struct subscribe {};
// Watches whoever subscribes — outside code too — and then answers.
class subscriber_registry : public thespis::actor {
 public:
  subscriber_registry() {
    handle([this](const subscribe&, const address& from) {
      watch(from);
      send(from, 42);
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("an actor that watches outside code leaves its replies to outside code whole",
                   "[watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address registry = sys.template create_actor<subscriber_registry>();
  // The watch of an ask's reply address was taken as the reply (a thespis::detail::watch_request),
  // and the real answer was a dead letter.
  CHECK(sys.template ask<int>(registry, subscribe{}, answer_within) == 42);
  // The watch of a tell's sender reached listen(), ahead of the answer.
  sys.tell(registry, subscribe{});
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  CHECK(heard->template is<int>());
  // Outside code never exits while the system runs: the watches report nothing, and the
  // registry's exit (it stops watching) makes no dead letter.
  CHECK(sys.shutdown().clean());
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
  CHECK(sys.dead_letter_count() == 0);
}
