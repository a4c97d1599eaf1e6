// Behaviour every base must show for exit requests and shutdown.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::actor_exit_request;
using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct exits {
  std::atomic<int> requests{0};
  std::atomic<int> destroyed{0};
};
struct spawn_children {
  int count;
};
struct ping {};

// Records its exit request and its destruction; can spawn children of its own kind.
class tracked : public thespis::actor {
 public:
  explicit tracked(std::shared_ptr<exits> log) : log_(std::move(log)) {
    handle([this](const actor_exit_request&) { log_->requests.fetch_add(1); });
    handle([this](const spawn_children& s, const address& from) {
      for (int i = 0; i < s.count; ++i)
        create_actor<tracked>(log_);
      send(from, s.count);
    });
    handle([this](const ping&, const address& from) { send(from, ping{}); });
  }
  ~tracked() override { log_->destroyed.fetch_add(1); }

 private:
  std::shared_ptr<exits> log_;
};
}  // namespace

TEMPLATE_TEST_CASE("shutdown delivers an exit request to every live actor, children included",
                   "[shutdown]", THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  thespis::actor_system sys{config_for<TestType>()};
  for (int i = 0; i < 10; ++i) {
    address a = sys.template create_actor<tracked>(log);
    REQUIRE(sys.template ask<int>(a, spawn_children{3}, answer_within) == 3);
  }
  sys.shutdown();
  CHECK(log->requests.load() == 40);
  CHECK(log->destroyed.load() == 40);
  CHECK(sys.live_actor_count() == 0);
}

// The registry of live actors keeps a slot per actor, and gives a shard's slots back once a crowd
// of actors has left it empty: more than 4,096 in every one of its 64 shards.
TEMPLATE_TEST_CASE("new actors are counted and shut down after a crowd of actors has exited",
                   "[shutdown]", THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  thespis::actor_system sys{config_for<TestType>()};
  constexpr int crowd = 64 * 4'200;
  std::vector<address> actors;
  actors.reserve(crowd);
  for (int i = 0; i < crowd; ++i)
    actors.push_back(sys.template create_actor<tracked>(log));
  CHECK(sys.live_actor_count() == crowd);
  for (const address& a : actors)
    sys.tell(a, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(log->destroyed.load() == crowd);

  actors.clear();
  for (int i = 0; i < 10; ++i) {
    address a = sys.template create_actor<tracked>(log);
    REQUIRE(sys.template ask<int>(a, spawn_children{3}, answer_within) == 3);
  }
  CHECK(sys.live_actor_count() == 40);
  sys.shutdown();
  CHECK(log->requests.load() == crowd + 40);
  CHECK(log->destroyed.load() == crowd + 40);
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE("shutdown is idempotent and later messages become dead letters", "[shutdown]",
                   THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<tracked>(log);
  CHECK(sys.shutdown().clean());  // every actor exited in time: nothing unfinished
  CHECK(sys.shutdown().clean());
  CHECK(log->requests.load() == 1);
  const auto before = sys.dead_letter_count();
  sys.tell(a, ping{});
  CHECK(sys.dead_letter_count() == before + 1);
  CHECK_THROWS_AS(sys.template create_actor<tracked>(log), thespis::system_shut_down);
}

TEMPLATE_TEST_CASE("the system's destructor shuts it down", "[shutdown]", THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  {
    thespis::actor_system sys{config_for<TestType>()};
    for (int i = 0; i < 5; ++i)
      sys.template create_actor<tracked>(log);
  }
  CHECK(log->requests.load() == 5);
  CHECK(log->destroyed.load() == 5);
}

TEMPLATE_TEST_CASE("an actor told to exit is gone and its address is dead", "[exit]",
                   THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<tracked>(log);
  REQUIRE(sys.ask(a, ping{}, answer_within));
  sys.tell(a, actor_exit_request{});
  // A reply would have to come from the actor; it is gone, so the ask is a dead letter.
  CHECK_FALSE(sys.ask(a, ping{}, std::chrono::milliseconds(100)));
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(log->requests.load() == 1);
  CHECK(log->destroyed.load() == 1);
  CHECK(eventually([&] { return sys.dead_letter_count() == 1; }));  // the second ping
}

namespace {
struct shut_down_the_system {};
struct inside_report {
  bool clean = true;
  bool lists_itself = false;
};

// Shuts its own system down from a handler, and reports what shutdown() returned.
class system_stopper : public thespis::actor {
 public:
  explicit system_stopper(thespis::actor_system* sys) {
    handle([this, sys](const shut_down_the_system&, const address& from) {
      const thespis::shutdown_report report = sys->shutdown();
      inside_report r{report.clean(), false};
      for (const auto& u : report.unfinished)
        r.lists_itself |=
            u.actor == self() && u.reason == thespis::unfinished_reason::busy_in_handler;
      send(from, r);
    });
  }
};
}  // namespace

// The caller is one of the actors shutdown waits for: waiting, it waited out the whole
// deadline (here longer than the test's patience) for itself.
TEMPLATE_TEST_CASE("an actor that shuts its system down gets an answer at once, and all exit",
                   "[shutdown]", THESPIS_BASES) {
  auto log = std::make_shared<exits>();
  thespis::system_config config;
  config.shutdown_timeout = std::chrono::minutes(5);
  thespis::actor_system sys{config_for<TestType>(config)};
  for (int i = 0; i < 3; ++i)
    sys.template create_actor<tracked>(log);
  address stopper = sys.template create_actor<system_stopper>(&sys);
  auto r = sys.template ask<inside_report>(stopper, shut_down_the_system{}, answer_within);
  REQUIRE(r);
  CHECK_FALSE(r->clean);
  CHECK(r->lists_itself);
  CHECK(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(log->requests.load() == 3);
  CHECK(sys.shutdown().clean());
  CHECK_THROWS_AS(sys.template create_actor<tracked>(log), thespis::system_shut_down);
}

namespace {
// Blocks its exit handler until the test opens the gate.
class slow_to_exit : public thespis::actor {
 public:
  explicit slow_to_exit(std::shared_ptr<std::latch> gate) {
    handle([gate](const actor_exit_request&) { gate->wait(); });
  }
};

// Each one, asked to exit, creates the next before it goes, `left` times in all: a chain that
// registers a new actor every millisecond or so while shutdown waits (sleeps, so that the
// chain lasts about as long under a sanitizer).
class heir_maker : public thespis::actor {
 public:
  explicit heir_maker(int left) {
    handle([this, left](const actor_exit_request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (left > 0) create_actor<heir_maker>(left - 1);
    });
  }
};
}  // namespace

TEST_CASE("once shutdown has begun, outside code can create no more actors") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  auto gate = std::make_shared<std::latch>(1);
  sys.create_actor<slow_to_exit>(gate);
  std::thread stopper([&] { (void)sys.shutdown(); });  // waits for the gate
  REQUIRE(eventually([&] { return sys.status().shutting_down; }));
  // Else an outside thread that keeps creating (an acceptor) keeps shutdown going for ever.
  CHECK_THROWS_AS(sys.create_actor<slow_to_exit>(gate), thespis::system_shut_down);
  gate->count_down();
  stopper.join();
  CHECK(sys.live_actor_count() == 0);
}

TEST_CASE("shutdown keeps its deadline while exiting actors keep creating others") {
  {
    thespis::system_config config;
    config.shutdown_timeout = std::chrono::milliseconds(50);
    config.log_threshold = thespis::log_level::error;  // the report's warnings are expected
    thespis::actor_system sys{config_for<thespis::test::threaded_base>(config)};
    sys.create_actor<heir_maker>(1'000);  // a second or more of heirs: twenty times the deadline
    const auto report = sys.shutdown();
    // Shutdown gave up at its deadline with the heir of the moment unfinished; before, every
    // new heir restarted its wait, and it returned, clean, only when the chain ran out.
    CHECK_FALSE(report.clean());
  }  // the destructor leaves the chain to finish in the background
  CHECK(eventually([] { return thespis::actor_system::abandoned_system_count() == 0; }));
}

namespace {
// Shuts its system down from its constructor, and keeps what shutdown() said.
class shuts_down_when_built : public thespis::actor {
 public:
  shuts_down_when_built(thespis::actor_system* sys,
                        std::shared_ptr<std::optional<thespis::shutdown_report>> report) {
    *report = sys->shutdown();
  }
};
}  // namespace

TEMPLATE_TEST_CASE("shutdown called in a top-level actor's constructor returns without waiting",
                   "[shutdown]", THESPIS_BASES) {
  thespis::system_config config;
  config.shutdown_timeout = std::chrono::hours(1);  // waiting would wait for this very actor
  thespis::actor_system sys{config_for<TestType>(config)};
  auto report = std::make_shared<std::optional<thespis::shutdown_report>>();
  auto created = std::async(
      std::launch::async, [&] { sys.template create_actor<shuts_down_when_built>(&sys, report); });
  REQUIRE(created.wait_for(answer_within) == std::future_status::ready);
  created.get();
  REQUIRE(report->has_value());
  // It started the shutdown: the actor, built after all, is asked to exit and goes.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK_THROWS_AS(sys.template create_actor<shuts_down_when_built>(&sys, report),
                  thespis::system_shut_down);
}
