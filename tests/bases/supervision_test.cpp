// Supervision: restart strategies, limits and escalation, on every base.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <latch>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/bases.hpp"
#include "support/gate.hpp"
#include "support/log_capture.hpp"

using thespis::address;
using thespis::exit_reason;
using thespis::restart_strategy;
using thespis::supervision;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct counts {
  std::atomic<int> workers_built{0};
  std::atomic<int> supervisors_built{0};
};
struct bump {};
struct boom {};
struct get_state {};
struct get_children {};
// Requests from nobody (the null address) with then(on_value) alone: the error is only logged.
struct request_from_nobody {};
// Asks `peer` for its state; the reply handler throws.
struct fail_in_reply_handler {
  address peer;
};

// Keeps a number; `boom` always throws.
class worker : public thespis::actor {
 public:
  explicit worker(std::shared_ptr<counts> c) {
    c->workers_built.fetch_add(1);
    handle([this](const bump&) { ++state_; });
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle([this](const get_state&, const address& from) { send(from, state_); });
    handle([this](const request_from_nobody&) {
      request<int>(address{}, get_state{}, std::chrono::hours(1)).then([](int) {});
    });
    handle([this](const fail_in_reply_handler& f) {
      request<int>(f.peer, get_state{}, std::chrono::hours(1))
          .then([](int) -> void { throw std::runtime_error("reply handler"); },
                [](const std::exception_ptr&) {});
    });
  }

 private:
  int state_ = 0;
};

// Creates `n` workers under `policy` and tells who they are.
class supervisor : public thespis::actor {
 public:
  supervisor(std::shared_ptr<counts> c, supervision policy, int n) {
    c->supervisors_built.fetch_add(1);
    for (int i = 0; i < n; ++i)
      children_.push_back(create_actor<worker>(policy, c));
    handle([this](const get_children&, const address& from) { send(from, children_); });
  }

 private:
  std::vector<address> children_;
};

// Supervises one supervisor, one_for_one.
class grand_supervisor : public thespis::actor {
 public:
  grand_supervisor(std::shared_ptr<counts> c, supervision child_policy) {
    middle_ =
        create_actor<supervisor>(supervision{restart_strategy::one_for_one, 5}, c, child_policy, 1);
    handle([this](const get_children&, const address& from) { send(from, middle_); });
  }

 private:
  address middle_;
};

template <class Sys>
std::vector<address> children_of(Sys& sys, const address& parent) {
  auto children = sys.template ask<std::vector<address>>(parent, get_children{}, answer_within);
  REQUIRE(children);
  return *children;
}

template <class Sys>
int state_of(Sys& sys, const address& a) {
  auto state = sys.template ask<int>(a, get_state{}, answer_within);
  REQUIRE(state);
  return *state;
}

// A failure: the message throws twice; its poison_message comes back to the outside sender.
template <class Sys>
bool fail(Sys& sys, const address& a) {
  sys.tell(a, boom{});
  auto poison = sys.listen(answer_within);
  return poison && poison->template is<thespis::poison_message>();
}

struct watch_this {
  address target;
};
struct ping {};

// Watches what it is told to and reports each exit it hears of to the outside inbox.
class watcher : public thespis::actor {
 public:
  watcher() {
    handle([this](const watch_this& w, const address& from) {
      reporter_ = from;
      watch(w.target);
      send(from, true);
    });
    handle([this](const thespis::actor_exited& e) { send(reporter_, e); });
    handle([this](const ping&, const address& from) { send(from, true); });
  }

 private:
  address reporter_;
};

// Has `w` watch `target`; its reports then come to sys.listen().
template <class Sys>
bool tell_to_watch(Sys& sys, const address& w, const address& target) {
  sys.tell(w, watch_this{target});
  auto ack = sys.listen(answer_within);
  return ack && ack->template is<bool>();
}

// True if `w` has reported nothing: a ping round trip first lets it handle what it was sent.
template <class Sys>
bool heard_nothing(Sys& sys, const address& w) {
  REQUIRE(sys.template ask<bool>(w, ping{}, answer_within));
  return !sys.listen(std::chrono::milliseconds(0));
}
}  // namespace

TEMPLATE_TEST_CASE("a supervised child that fails is rebuilt with fresh state, up to its limit",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address sup =
      sys.template create_actor<supervisor>(c, supervision{restart_strategy::one_for_one, 2}, 1);
  const address child = children_of(sys, sup).at(0);
  sys.tell(child, bump{});
  REQUIRE(state_of(sys, child) == 1);

  // The poison comes back before the restart: asking the child afterwards orders the checks.
  REQUIRE(fail(sys, child));  // restart 1: same address, fresh state
  CHECK(state_of(sys, child) == 0);
  CHECK(c->workers_built.load() == 2);
  REQUIRE(fail(sys, child));  // restart 2
  CHECK(state_of(sys, child) == 0);
  CHECK(c->workers_built.load() == 3);

  REQUIRE(fail(sys, child));  // past the limit: the child gives up, the parent fails with it
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(c->workers_built.load() == 3);
}

// A reply handler is the actor's code run later: a supervised actor whose reply handler threw
// went on with its state as if nothing had failed.
TEMPLATE_TEST_CASE("a reply handler that throws is a failure supervision sees",
                   "[supervision][request]", THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  auto c = std::make_shared<counts>();
  address sup =
      sys.template create_actor<supervisor>(c, supervision{restart_strategy::one_for_one, 2}, 2);
  const auto children = children_of(sys, sup);
  sys.tell(children[0], bump{});
  REQUIRE(state_of(sys, children[0]) == 1);

  sys.tell(children[0], fail_in_reply_handler{children[1]});
  CHECK(eventually([&] { return c->workers_built.load() == 3; }));  // two built, one rebuilt
  CHECK(state_of(sys, children[0]) == 0);

  // Unsupervised, the actor goes on with its state, as after a message that failed twice.
  address alone = sys.template create_actor<worker>(c);
  sys.tell(alone, bump{});
  sys.tell(alone, fail_in_reply_handler{children[1]});
  CHECK(eventually([&] { return logged.records().size() == 2; }));
  CHECK(state_of(sys, alone) == 1);
  CHECK(c->workers_built.load() == 4);
  for (const auto& record : logged.records())
    CHECK_THAT(record.text, Catch::Contains("reply handler failed: reply handler"));
}

TEMPLATE_TEST_CASE("a request's error left to then()'s default handler is logged, not a failure",
                   "[supervision][request]", THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  auto c = std::make_shared<counts>();
  address sup =
      sys.template create_actor<supervisor>(c, supervision{restart_strategy::one_for_one, 2}, 1);
  const address child = children_of(sys, sup).at(0);
  sys.tell(child, bump{});
  sys.tell(child, request_from_nobody{});
  REQUIRE(eventually([&] { return logged.records().size() == 1; }));
  CHECK_THAT(logged.records().at(0).text, Catch::Contains("dead letter"));
  CHECK(state_of(sys, child) == 1);
  CHECK(c->workers_built.load() == 1);
}

TEMPLATE_TEST_CASE("a restart window of for ever still holds the limit on restarts",
                   "[supervision]", THESPIS_BASES) {
  using std::chrono::milliseconds;
  const auto three_centuries = std::chrono::duration_cast<milliseconds>(
      std::chrono::hours(24) * 365 * 300);  // past what a clock's nanoseconds hold
  for (const milliseconds within : {milliseconds::max(), three_centuries}) {
    CAPTURE(within.count());
    thespis::actor_system sys{config_for<TestType>()};
    auto c = std::make_shared<counts>();
    address sup = sys.template create_actor<supervisor>(
        c, supervision{restart_strategy::one_for_one, 2, within}, 1);
    const address child = children_of(sys, sup).at(0);
    REQUIRE(fail(sys, child));  // restart 1
    REQUIRE(fail(sys, child));  // restart 2
    REQUIRE(fail(sys, child));  // past the limit: the child gives up
    // Gone, the child answers nothing (the ask returns at once, its request a dead letter); a
    // third restart would have answered.
    CHECK_FALSE(sys.template ask<int>(child, get_state{}, answer_within));
    CHECK(c->workers_built.load() == 3);
  }
}

TEMPLATE_TEST_CASE(
    "a restart keeps the child's watchers, who hear nothing of it; past the limit they hear "
    "that the child and its unsupervised parent failed",
    "[supervision][watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address sup =
      sys.template create_actor<supervisor>(c, supervision{restart_strategy::one_for_one, 1}, 1);
  const address child = children_of(sys, sup).at(0);
  address w = sys.template create_actor<watcher>();
  REQUIRE(tell_to_watch(sys, w, child));
  REQUIRE(tell_to_watch(sys, w, sup));

  REQUIRE(fail(sys, child));           // restart 1
  REQUIRE(state_of(sys, child) == 0);  // answered by the new instance: the restart is done
  CHECK(heard_nothing(sys, w));

  REQUIRE(fail(sys, child));  // past the limit
  std::map<address, exit_reason> heard;
  for (int i = 0; i < 2; ++i) {
    auto notice = sys.listen(answer_within);
    REQUIRE(notice);
    const auto exited = notice->template take<thespis::actor_exited>();
    heard[exited.actor] = exited.reason;
  }
  CHECK(heard ==
        std::map<address, exit_reason>{{child, exit_reason::failed}, {sup, exit_reason::failed}});
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));  // the watcher
}

TEMPLATE_TEST_CASE("without supervision a failing actor keeps its state and goes on",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address w = sys.template create_actor<worker>(c);
  sys.tell(w, bump{});
  for (int i = 0; i < 5; ++i)
    REQUIRE(fail(sys, w));
  CHECK(state_of(sys, w) == 1);
  CHECK(c->workers_built.load() == 1);
}

TEMPLATE_TEST_CASE("all-for-one restarts every supervised sibling when one fails", "[supervision]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address sup =
      sys.template create_actor<supervisor>(c, supervision{restart_strategy::all_for_one, 3}, 3);
  const auto children = children_of(sys, sup);
  for (const auto& child : children)
    sys.tell(child, bump{});
  REQUIRE(fail(sys, children[1]));
  REQUIRE(eventually([&] { return c->workers_built.load() == 6; }));
  for (const auto& child : children)
    CHECK(state_of(sys, child) == 0);
}

namespace {
// Creates two all_for_one workers, then a one_for_one and an unsupervised one.
class mixed_supervisor : public thespis::actor {
 public:
  explicit mixed_supervisor(std::shared_ptr<counts> c) {
    const supervision together{restart_strategy::all_for_one, 3};
    children_.push_back(create_actor<worker>(together, c));
    children_.push_back(create_actor<worker>(together, c));
    children_.push_back(create_actor<worker>(supervision{restart_strategy::one_for_one, 3}, c));
    children_.push_back(create_actor<worker>(c));
    handle([this](const get_children&, const address& from) { send(from, children_); });
  }

 private:
  std::vector<address> children_;
};
}  // namespace

TEMPLATE_TEST_CASE("all-for-one restarts only the siblings created with all-for-one",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address sup = sys.template create_actor<mixed_supervisor>(c);
  const auto children = children_of(sys, sup);
  REQUIRE(children.size() == 4);
  for (const auto& child : children)
    sys.tell(child, bump{});
  for (const auto& child : children)
    REQUIRE(state_of(sys, child) == 1);
  REQUIRE(fail(sys, children[0]));
  // The parent sends the group's restarts in one handler: once the sibling has restarted, a
  // restart wrongly sent to the others is queued ahead of the asks below.
  REQUIRE(eventually([&] { return state_of(sys, children[1]) == 0; }));
  CHECK(state_of(sys, children[0]) == 0);
  CHECK(state_of(sys, children[2]) == 1);  // one_for_one: not in the group
  CHECK(state_of(sys, children[3]) == 1);  // unsupervised
  CHECK(c->workers_built.load() == 6);
}

namespace {
struct fail_and_leave {
  address failing;
  address leaving;
};

// A worker whose exit handler, given a gate, waits for it to open.
class gated_worker : public worker {
 public:
  gated_worker(std::shared_ptr<counts> c, const std::shared_ptr<thespis::test::gate>& g)
      : worker(std::move(c)) {
    if (g) handle([g](thespis::actor_exit_request&) { g->wait(); });
  }
};

// Two all_for_one workers, the second gated; fails the first and asks the second to exit, in
// that order, on request.
class pair_supervisor : public thespis::actor {
 public:
  pair_supervisor(std::shared_ptr<counts> c, const std::shared_ptr<thespis::test::gate>& g) {
    const supervision together{restart_strategy::all_for_one, 3};
    children_.push_back(create_actor<worker>(together, c));
    children_.push_back(create_actor<gated_worker>(together, c, g));
    handle([this](const get_children&, const address& from) { send(from, children_); });
    handle([this](const fail_and_leave& f) {
      send(f.failing, boom{});
      send(f.leaving, thespis::actor_exit_request{});
    });
  }

 private:
  std::vector<address> children_;
};
}  // namespace

// The parent restarts the group when it hears of the failure; a sibling that exited meanwhile,
// its exit notice not handled yet, got a restart request at its closed mailbox: a dead letter
// (a thespis::detail::restart_request in a dead-letter handler), though nobody lost anything.
TEMPLATE_TEST_CASE("an all-for-one restart that finds a sibling gone makes no dead letter",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  constexpr bool simple = std::is_same_v<TestType, thespis::test::simple_base>;
  auto g = simple ? nullptr : std::make_shared<thespis::test::gate>();
  address sup = sys.template create_actor<pair_supervisor>(c, g);
  const auto children = children_of(sys, sup);
  if constexpr (simple) {
    // One run to quiet: the first fails and restarts, then the second exits, and the
    // supervisor hears of the failure before the exit.
    sys.tell(sup, fail_and_leave{children[0], children[1]});
  } else {
    thespis::test::gate_opener opener{g};
    sys.tell(children[1], thespis::actor_exit_request{});  // held in its exit handler
    REQUIRE(eventually([&] { return g->has_waiter(); }));
    REQUIRE(fail(sys, children[0]));
    (void)state_of(sys, children[0]);  // restarted: it has told the supervisor
    (void)children_of(sys, sup);       // which has asked the held sibling to restart
    g->open();
  }
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2; }));  // the supervisor, the first
  CHECK(c->workers_built.load() == 3);
  CHECK(sys.dead_letter_count() == 0);
}

namespace {
struct make_grandchild {};
struct request_then_fail {
  address of;
};

class leaf : public thespis::actor {};

// Answers method calls; a plain object.
class echo {
 public:
  int value() const { return 1; }
};

// A supervised worker that has children and awaits replies.
class busy_worker : public thespis::actor {
 public:
  busy_worker() {
    handle(
        [this](const make_grandchild&, const address& from) { send(from, create_actor<leaf>()); });
    // Asks, then fails (twice: it is retried): its replies come to the restarted instance.
    handle([this](const request_then_fail& r, const address& from) -> void {
      ref<echo>(r.of)
          .request(&echo::value, answer_within)
          .then([this, from](int) { send(from, std::string("a reply reached a callback")); },
                [this, from](std::exception_ptr) {
                  send(from, std::string("an error reached a callback"));
                });
      throw std::runtime_error("boom");
    });
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle([this](const get_state&, const address& from) { send(from, 0); });
  }
};

class busy_supervisor : public thespis::actor {
 public:
  busy_supervisor() {
    child_ = create_actor<busy_worker>(supervision{restart_strategy::one_for_one, 5});
    handle([this](const get_children&, const address& from) { send(from, child_); });
  }

 private:
  address child_;
};
}  // namespace

TEMPLATE_TEST_CASE("a restart asks the failed instance's children to exit", "[supervision]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address sup = sys.template create_actor<busy_supervisor>();
  const auto child = sys.template ask<address>(sup, get_children{}, answer_within);
  REQUIRE(child);
  const auto grandchild = sys.template ask<address>(*child, make_grandchild{}, answer_within);
  REQUIRE(grandchild);
  address w = sys.template create_actor<watcher>();
  REQUIRE(tell_to_watch(sys, w, *grandchild));
  REQUIRE(fail(sys, *child));
  auto heard = sys.listen(answer_within);
  REQUIRE(heard);
  const auto exited = heard->template take<thespis::actor_exited>();
  CHECK(exited.actor == *grandchild);
  CHECK(exited.reason == exit_reason::requested);
  auto status =
      sys.template ask<thespis::actor_status>(*child, thespis::status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->children.empty());
  CHECK(eventually([&] { return sys.live_actor_count() == 3; }));  // sup, child, watcher
}

TEMPLATE_TEST_CASE(
    "a restart drops the replies the failed instance awaited: they are dead letters and no "
    "callback runs",
    "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address sup = sys.template create_actor<busy_supervisor>();
  const auto child = sys.template ask<address>(sup, get_children{}, answer_within);
  REQUIRE(child);
  auto e = sys.template create_actor<echo>();
  sys.tell(*child, request_then_fail{e.address()});
  auto poison = sys.listen(answer_within);
  REQUIRE(poison);
  REQUIRE(poison->template is<thespis::poison_message>());
  // One request per attempt; each reply reaches the restarted instance, which awaits none.
  CHECK(eventually([&] { return sys.dead_letter_count() == 2; }));
  REQUIRE(sys.template ask<int>(*child, get_state{}, answer_within));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
}

TEMPLATE_TEST_CASE("past its limit a failure escalates to the parent's own supervision",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  address top = sys.template create_actor<grand_supervisor>(
      c, supervision{restart_strategy::one_for_one, 0});  // the worker gives up at once
  const address middle = *sys.template ask<address>(top, get_children{}, answer_within);
  const address first_worker = children_of(sys, middle).at(0);
  REQUIRE(fail(sys, first_worker));
  // The middle supervisor fails in turn and is rebuilt by the top one, with a new worker.
  REQUIRE(eventually([&] { return c->supervisors_built.load() == 2; }));
  REQUIRE(eventually([&] { return c->workers_built.load() == 2; }));
  const address second_worker = children_of(sys, middle).at(0);
  CHECK(second_worker != first_worker);
  CHECK(state_of(sys, second_worker) == 0);
  CHECK(eventually([&] { return sys.live_actor_count() == 3; }));
}

namespace {
struct arm_old_wakeup {};
struct arm_new_wakeup {};

// What the sleeper's first instance saw.
struct sleeper_log {
  std::atomic<int> strangers{0};       // wakeups a restarted instance never asked for
  std::atomic<bool> old_fired{false};  // the old wakeup's timer fired while its instance was busy
};

// Its first instance arms a wakeup that fires while the instance is busy, behind a message that
// fails; the restarted instance arms its own and counts any wakeup it never asked for.
class restarted_sleeper : public thespis::actor {
 public:
  restarted_sleeper(std::shared_ptr<std::latch> gate, std::shared_ptr<sleeper_log> log,
                    thespis::actor_system* sys) {
    handle([this, gate, log, sys](const arm_old_wakeup&) {
      gate->wait();  // the failing message and arm_new_wakeup are queued behind this one now
      wakeup_after(std::chrono::milliseconds(0), std::string("old"));
      // The system's timer for it fires, its notice queued behind those two messages.
      log->old_fired = thespis::test::eventually([&] { return sys->status().pending_timers == 0; });
    });
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle(
        [this](const arm_new_wakeup&) { wakeup_after(std::chrono::hours(1), std::string("new")); });
    handle([log](const thespis::wakeup_message& w) {
      if (w.payload.is<std::string>()) log->strangers.fetch_add(1);  // "old": not this instance's
    });
  }
};

class sleeper_parent : public thespis::actor {
 public:
  sleeper_parent(std::shared_ptr<std::latch> gate, std::shared_ptr<sleeper_log> log,
                 thespis::actor_system* sys) {
    child_ = create_actor<restarted_sleeper>(supervision{restart_strategy::one_for_one, 5}, gate,
                                             log, sys);
    handle([this](const get_children&, const address& from) { send(from, child_); });
  }

 private:
  address child_;
};
}  // namespace

TEST_CASE("a restarted actor never receives a wakeup its previous instance armed") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  auto gate = std::make_shared<std::latch>(1);
  auto log = std::make_shared<sleeper_log>();
  address parent = sys.create_actor<sleeper_parent>(gate, log, &sys);
  const auto child_found = sys.ask<address>(parent, get_children{}, answer_within);
  REQUIRE(child_found);
  const address child = *child_found;
  sys.tell(child, arm_old_wakeup{});
  sys.tell(child, boom{});            // fails twice: the child restarts
  sys.tell(child, arm_new_wakeup{});  // the new instance's first wakeup
  gate->count_down();
  // The old wakeup fired during arm_old_wakeup, so it is queued before this status request.
  auto poison = sys.listen(answer_within);
  REQUIRE(poison);
  REQUIRE(sys.ask<thespis::actor_status>(child, thespis::status_request{}, answer_within));
  CHECK(log->old_fired.load());  // else the case tested nothing: the restart cancelled the timer
  CHECK(log->strangers.load() == 0);
}

// Virtual time (the simple base), so that the window passes exactly.
TEST_CASE("restarts older than the policy's window no longer count toward its limit") {
  thespis::actor_system sys{config_for<thespis::test::simple_base>()};
  auto c = std::make_shared<counts>();
  const supervision policy{restart_strategy::one_for_one, 2, std::chrono::seconds(1)};
  address sup = sys.create_actor<supervisor>(c, policy, 1);
  const address child = children_of(sys, sup).at(0);
  REQUIRE(fail(sys, child));  // restart 1
  REQUIRE(fail(sys, child));  // restart 2: the limit, within the window
  sys.advance_time(std::chrono::seconds(2));
  REQUIRE(fail(sys, child));  // restart 3: the first two have left the window
  REQUIRE(fail(sys, child));  // restart 4
  CHECK(c->workers_built.load() == 5);
  CHECK(sys.live_actor_count() == 2);
  REQUIRE(fail(sys, child));  // two within the window already: the child gives up
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(c->workers_built.load() == 5);
}

namespace {
// Sends `boom`s to the actor it is given, all in one handler: a backlog of failing messages.
class boom_flooder : public thespis::actor {
 public:
  explicit boom_flooder(int booms) {
    handle([this, booms](const address& to) {
      for (int i = 0; i < booms; ++i)
        send(to, boom{});
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("all-for-one keeps its restart limit while the failing child has a backlog",
                   "[supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = std::make_shared<counts>();
  const supervision policy{restart_strategy::all_for_one, 3, std::chrono::seconds(3600)};
  address sup = sys.template create_actor<supervisor>(c, policy, 2);
  auto children = sys.template ask<std::vector<address>>(sup, get_children{}, answer_within);
  REQUIRE(children);
  REQUIRE(children->size() == 2);
  address flooder = sys.template create_actor<boom_flooder>(100);
  sys.tell(flooder, children->front());
  // Past three restarts the group gives up and the (unsupervised) supervisor fails with it.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));  // the flooder
  // Two first builds, and at most three restarts of each: not one per failing message.
  CHECK(c->workers_built.load() <= 2 + 2 * 3);
}

namespace {
struct job {};
// One member at a time, held in its first job until the test opens the gate.
class gated_member : public thespis::actor {
 public:
  static constexpr thespis::troupe_limits troupe{.max_members = 1, .idle_members = 1};
  gated_member(std::shared_ptr<thespis::test::gate> g, std::shared_ptr<std::atomic<int>> done) {
    handle([g, done](const job&) {
      g->wait();
      ++*done;
    });
  }
};
// A troupe and a worker, restarted together (all_for_one).
class troupe_and_worker : public thespis::actor {
 public:
  troupe_and_worker(std::shared_ptr<thespis::test::gate> g, std::shared_ptr<std::atomic<int>> done,
                    std::shared_ptr<counts> c) {
    const supervision together{restart_strategy::all_for_one, 3};
    children_.push_back(create_actor<gated_member>(together, std::move(g), std::move(done)));
    children_.push_back(create_actor<worker>(together, std::move(c)));
    handle([this](const get_children&, const address& from) { send(from, children_); });
  }

 private:
  std::vector<address> children_;
};
}  // namespace

TEST_CASE("a supervised troupe restarted with work queued counts that work as dead letters",
          "[supervision]") {
  auto g = std::make_shared<thespis::test::gate>();
  thespis::test::gate_opener opener{g};
  auto done = std::make_shared<std::atomic<int>>(0);
  thespis::system_config config;
  config.workers = 2;  // one stays free while the member holds the other
  thespis::actor_system sys{config_for<thespis::test::threaded_base>(config)};
  address parent = sys.create_actor<troupe_and_worker>(g, done, std::make_shared<counts>());
  const auto children = children_of(sys, parent);
  for (int i = 0; i < 10; ++i)
    sys.tell(children[0], job{});  // one reaches the member; nine wait in the troupe's queue
  REQUIRE(eventually([&] {
    auto status =
        sys.ask<thespis::actor_status>(children[0], thespis::status_request{}, answer_within);
    return status && status->pending_messages == 0;  // all taken in by the leader
  }));
  REQUIRE(fail(sys, children[1]));  // the group restarts: the troupe's leader too
  // Restarted, the leader has let its member go (asked to exit, behind its job): only then
  // may the member finish, or the leader would hand it the queue first.
  REQUIRE(eventually([&] {
    auto status =
        sys.ask<thespis::actor_status>(children[0], thespis::status_request{}, answer_within);
    return status && status->children.empty();
  }));
  g->open();
  // The member finishes its job; the nine queued are not handled, and not lost unseen.
  REQUIRE(eventually([&] { return *done + sys.dead_letter_count() == 10; }));
  CHECK(*done == 1);
}

namespace {
struct watch_counts {
  std::atomic<int> built{0};
  std::atomic<int> notices{0};
};

class idle_target : public thespis::actor {};

// Watches its target in its constructor, as a supervised actor usually does; `boom` throws.
class target_watcher : public thespis::actor {
 public:
  target_watcher(std::shared_ptr<watch_counts> c, address target) {
    c->built.fetch_add(1);
    watch(target);
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle([c](const thespis::actor_exited&) { c->notices.fetch_add(1); });
  }
};

// Supervises one target_watcher and makes it fail twice: two restarts.
class failing_watcher_parent : public thespis::actor {
 public:
  failing_watcher_parent(std::shared_ptr<watch_counts> c, address target) {
    address child = create_actor<target_watcher>(
        supervision{restart_strategy::one_for_one, 10, std::chrono::hours(1)}, c, target);
    send(child, boom{});
    send(child, boom{});
  }
};
}  // namespace

// Each instance watched the target once; the old instances' watches went with them.
TEMPLATE_TEST_CASE("a restarted child that watches in its constructor hears once of the exit",
                   "[supervision][watch]", THESPIS_BASES) {
  auto c = std::make_shared<watch_counts>();
  thespis::actor_system sys{config_for<TestType>()};
  address target = sys.template create_actor<idle_target>();
  sys.template create_actor<failing_watcher_parent>(c, target);
  REQUIRE(eventually([&] { return c->built.load() == 3; }));  // built, then rebuilt twice
  sys.tell(target, thespis::actor_exit_request{});
  // The target is gone (its notices are queued) and the child has heard at least one.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2 && c->notices.load() >= 1; }));
  // Shutdown's exit requests queue behind every notice: any duplicate is counted by now.
  REQUIRE(sys.shutdown().clean());
  CHECK(c->notices.load() == 1);
}
