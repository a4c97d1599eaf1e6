// Supervision: restart strategies, limits and escalation, on every base.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
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

// Keeps a number; `boom` always throws.
class worker : public thespis::actor {
 public:
  explicit worker(std::shared_ptr<counts> c) {
    c->workers_built.fetch_add(1);
    handle([this](const bump&) { ++state_; });
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle([this](const get_state&, const address& from) { send(from, state_); });
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
  return *sys.template ask<std::vector<address>>(parent, get_children{}, answer_within);
}

template <class Sys>
int state_of(Sys& sys, const address& a) {
  return *sys.template ask<int>(a, get_state{}, answer_within);
}

// A failure: the message throws twice; its poison_message comes back to the outside sender.
template <class Sys>
bool fail(Sys& sys, const address& a) {
  sys.tell(a, boom{});
  auto poison = sys.listen(answer_within);
  return poison && poison->template is<thespis::poison_message>();
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

// Its first instance arms a wakeup that fires while the instance is busy, behind a message that
// fails; the restarted instance arms its own and counts any wakeup it never asked for.
class restarted_sleeper : public thespis::actor {
 public:
  restarted_sleeper(std::shared_ptr<std::latch> gate, std::shared_ptr<std::atomic<int>> strangers) {
    handle([this, gate](const arm_old_wakeup&) {
      gate->wait();  // the failing message and arm_new_wakeup are queued behind this one now
      wakeup_after(std::chrono::milliseconds(0), std::string("old"));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // lets the timer fire
    });
    handle([](const boom&) -> void { throw std::runtime_error("boom"); });
    handle(
        [this](const arm_new_wakeup&) { wakeup_after(std::chrono::hours(1), std::string("new")); });
    handle([strangers](const thespis::wakeup_message& w) {
      if (w.payload.is<std::string>()) strangers->fetch_add(1);  // "old": not this instance's
    });
  }
};

class sleeper_parent : public thespis::actor {
 public:
  sleeper_parent(std::shared_ptr<std::latch> gate, std::shared_ptr<std::atomic<int>> strangers) {
    child_ = create_actor<restarted_sleeper>(supervision{restart_strategy::one_for_one, 5}, gate,
                                             strangers);
    handle([this](const get_children&, const address& from) { send(from, child_); });
  }

 private:
  address child_;
};
}  // namespace

TEST_CASE("a restarted actor never receives a wakeup its previous instance armed") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  auto gate = std::make_shared<std::latch>(1);
  auto strangers = std::make_shared<std::atomic<int>>(0);
  address parent = sys.create_actor<sleeper_parent>(gate, strangers);
  const address child = *sys.ask<address>(parent, get_children{}, answer_within);
  sys.tell(child, arm_old_wakeup{});
  sys.tell(child, boom{});            // fails twice: the child restarts
  sys.tell(child, arm_new_wakeup{});  // the new instance's first wakeup
  gate->count_down();
  // The old wakeup fired during arm_old_wakeup, so it is queued before this status request.
  auto poison = sys.listen(answer_within);
  REQUIRE(poison);
  REQUIRE(sys.ask<thespis::actor_status>(child, thespis::status_request{}, answer_within));
  CHECK(strangers->load() == 0);
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
