// Shutdown with an actor stuck in a handler: it reports who did not finish and why, returns, and
// frees the system once the handler returns. Threaded base only: on the simple base a handler
// runs on the caller's own thread, so it cannot still be running when the caller shuts down.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::unfinished_reason;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct gate {
  std::atomic<bool> entered{false};
  std::atomic<bool> released{false};
  std::atomic<int> destroyed{0};
};
struct block {};
struct make_child {};

// Stays in its handler for `block` until the test releases the gate.
class blocker : public thespis::actor {
 public:
  explicit blocker(std::shared_ptr<gate> g) : gate_(std::move(g)) {
    handle([this](const block&) {
      gate_->entered = true;
      while (!gate_->released)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  ~blocker() override { gate_->destroyed.fetch_add(1); }

 private:
  std::shared_ptr<gate> gate_;
};

// Creates a blocker child on request and replies with its address.
class parent_of_blocker : public thespis::actor {
 public:
  explicit parent_of_blocker(std::shared_ptr<gate> g) : gate_(std::move(g)) {
    handle([this](const make_child&, const address& from) {
      send(from, create_actor<blocker>(gate_));
    });
  }
  ~parent_of_blocker() override { gate_->destroyed.fetch_add(1); }

 private:
  std::shared_ptr<gate> gate_;
};

class idle : public thespis::actor {
 public:
  explicit idle(std::shared_ptr<gate> g) : gate_(std::move(g)) {}
  ~idle() override { gate_->destroyed.fetch_add(1); }

 private:
  std::shared_ptr<gate> gate_;
};

// Sends `count` messages to `to` in one handler, then records that the handler returned.
struct flood {
  int count;
};
class flooder : public thespis::actor {
 public:
  flooder(address to, std::shared_ptr<std::atomic<bool>> done) {
    handle([this, to, done](const flood& f) {
      for (int i = 0; i < f.count; ++i)
        send(to, i);
      *done = true;
    });
  }
};

thespis::system_config short_deadline(unsigned workers) {
  auto config = config_for<thespis::test::threaded_base>();
  config.workers = workers;
  // Long enough for the actors that are not stuck to get to their exit requests on a starved
  // machine (300 ms was not: a parent read "waiting for a worker", not for its children).
  config.shutdown_timeout = std::chrono::milliseconds(1500);
  return config;
}
}  // namespace

TEST_CASE(
    "shutdown past its deadline names the actor busy in a handler and the parent waiting for it",
    "[shutdown]") {
  auto g = std::make_shared<gate>();
  std::mutex log_mutex;
  std::vector<std::string> warnings;
  auto config = short_deadline(2);
  config.log_to = [&](const thespis::log_record& r) {
    std::lock_guard lock(log_mutex);
    warnings.push_back(r.actor.to_string() + " " + r.text);
  };
  thespis::actor_system sys{config};
  address parent = sys.create_actor<parent_of_blocker>(g);
  auto child = sys.ask<address>(parent, make_child{}, answer_within);
  REQUIRE(child);
  sys.tell(*child, block{});
  REQUIRE(eventually([&] { return g->entered.load(); }));

  const thespis::shutdown_report report = sys.shutdown();  // returns although the child is stuck

  REQUIRE_FALSE(report.clean());
  REQUIRE(report.unfinished.size() == 2);
  CHECK(report.unfinished[0].actor == parent);
  CHECK(report.unfinished[0].reason == unfinished_reason::waiting_for_children);
  CHECK(report.unfinished[1].actor == *child);
  CHECK(report.unfinished[1].reason == unfinished_reason::busy_in_handler);
  CHECK(report.unfinished[1].actor_class.find("blocker") != std::string::npos);
  CHECK(sys.shutdown().unfinished.size() == 2);  // a repeated call returns the same report
  {
    std::lock_guard lock(log_mutex);
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[1].find("busy in a handler") != std::string::npos);
  }

  g->released = true;  // the handler returns, sees its exit request, and the parent follows
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(g->destroyed.load() == 2);
}

TEST_CASE("an actor whose exit request waits behind a stuck worker is reported as waiting for one",
          "[shutdown]") {
  auto g = std::make_shared<gate>();
  thespis::actor_system sys{short_deadline(1)};
  address stuck = sys.create_actor<blocker>(g);
  address waiting = sys.create_actor<idle>(g);
  sys.tell(stuck, block{});
  REQUIRE(eventually([&] { return g->entered.load(); }));

  const auto report = sys.shutdown();

  REQUIRE(report.unfinished.size() == 2);
  CHECK(report.unfinished[0].actor == stuck);
  CHECK(report.unfinished[0].reason == unfinished_reason::busy_in_handler);
  CHECK(report.unfinished[1].actor == waiting);
  CHECK(report.unfinished[1].reason == unfinished_reason::waiting_for_a_worker);
  CHECK(report.to_string().find("waiting for a worker") != std::string::npos);
  g->released = true;
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

TEST_CASE("an actor parked behind a stuck actor's full mailbox is reported as waiting for it",
          "[shutdown][back-pressure]") {
  auto g = std::make_shared<gate>();
  auto flooded = std::make_shared<std::atomic<bool>>(false);
  auto config = short_deadline(2);
  config.mailbox_limit = 4;
  thespis::actor_system sys{config};
  address stuck = sys.create_actor<blocker>(g);
  address parked = sys.create_actor<flooder>(stuck, flooded);
  sys.tell(stuck, block{});
  REQUIRE(eventually([&] { return g->entered.load(); }));
  sys.tell(parked, flood{40});  // far past the limit: the flooder parks once its handler returns
  REQUIRE(eventually([&] { return flooded->load(); }));

  const auto report = sys.shutdown();

  REQUIRE(report.unfinished.size() == 2);
  CHECK(report.unfinished[0].actor == stuck);
  CHECK(report.unfinished[0].reason == unfinished_reason::busy_in_handler);
  CHECK(report.unfinished[1].actor == parked);
  CHECK(report.unfinished[1].reason == unfinished_reason::waiting_for_a_full_mailbox);
  CHECK(report.unfinished[1].waiting_on == stuck);
  CHECK(report.to_string().find("waiting for a full mailbox to drain (" + stuck.to_string() +
                                ")") != std::string::npos);
  g->released = true;  // the stuck actor drains its mailbox and exits; the flooder follows
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
}

TEST_CASE("a system destroyed while an actor is stuck returns at once and frees itself later",
          "[shutdown]") {
  auto g = std::make_shared<gate>();
  {
    thespis::actor_system sys{short_deadline(1)};
    address stuck = sys.create_actor<blocker>(g);
    sys.create_actor<idle>(g);
    sys.tell(stuck, block{});
    REQUIRE(eventually([&] { return g->entered.load(); }));
  }  // the destructor shuts down and returns; the stuck actor still runs
  CHECK(thespis::actor_system::abandoned_system_count() == 1);
  CHECK(g->destroyed.load() == 0);

  g->released = true;
  CHECK(eventually([] { return thespis::actor_system::abandoned_system_count() == 0; }));
  CHECK(g->destroyed.load() == 2);  // both actors exited before the system was freed
}
