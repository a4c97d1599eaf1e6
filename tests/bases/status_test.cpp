// Behaviour every base must show for status requests.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "support/bases.hpp"

using thespis::actor_status;
using thespis::address;
using thespis::status_request;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct spawn {};
struct seen_request {};

class watched : public thespis::actor {
 public:
  watched() {
    handle([this](const spawn&, const address& from) { send(from, create_actor<watched>()); });
    handle([this](const status_request&) { ++status_requests_seen_; });  // must never run
    handle([this](const seen_request&, const address& from) { send(from, status_requests_seen_); });
  }

 private:
  int status_requests_seen_ = 0;
};

// Its first wakeup makes the cell's state for rarely used features, which then also holds the
// actor's class (see actor_cell::rare_owner).
struct arm_wakeup {};
class sleeper : public thespis::actor {
 public:
  sleeper() {
    handle([this](const arm_wakeup&, const address& from) {
      wakeup_after(std::chrono::hours(1));
      send(from, 1);
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("an actor's status names its class before and after it first arms a wakeup",
                   "[status]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<sleeper>();
  auto before = sys.template ask<actor_status>(a, status_request{}, answer_within);
  REQUIRE(before);
  CHECK(before->class_name.find("sleeper") != std::string::npos);
  REQUIRE(sys.template ask<int>(a, arm_wakeup{}, answer_within) == 1);
  auto after = sys.template ask<actor_status>(a, status_request{}, answer_within);
  REQUIRE(after);
  CHECK(after->class_name == before->class_name);
  CHECK(after->pending_wakeups == 1);
}

TEMPLATE_TEST_CASE("the system answers an actor's status request without the actor seeing it",
                   "[status]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<watched>();
  auto child = sys.template ask<address>(a, spawn{}, answer_within);
  REQUIRE(child);
  auto status = sys.template ask<actor_status>(a, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->actor == a);
  CHECK(status->class_name.find("watched") != std::string::npos);
  CHECK(status->children == std::vector<address>{*child});
  CHECK(status->parent == address{});
  CHECK(status->pending_messages == 0);
  CHECK(status->pending_wakeups == 0);
  CHECK(status->messages_processed == 1);  // spawn: the status request is not the actor's
  CHECK(sys.template ask<int>(a, seen_request{}, answer_within) == 0);
  status = sys.template ask<actor_status>(a, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->messages_processed == 2);  // and seen_request: asking changed nothing
}

TEMPLATE_TEST_CASE("the system status lists live actors, capabilities and dead letters", "[status]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<watched>();
  address b = sys.template create_actor<watched>();
  sys.tell(address{}, 1);
  auto s = sys.status();
  CHECK(s.live_actors.size() == 2);
  CHECK(std::find(s.live_actors.begin(), s.live_actors.end(), a) != s.live_actors.end());
  CHECK(std::find(s.live_actors.begin(), s.live_actors.end(), b) != s.live_actors.end());
  CHECK(s.dead_letter_count == 1);
  CHECK(s.dead_letter_handler == address{});
  CHECK_FALSE(s.shutting_down);
  CHECK(std::get<std::string>(s.capabilities.at("thespis.base")) == TestType::name);
  CHECK(s.capabilities.count("thespis.version") == 1);
}

TEMPLATE_TEST_CASE("an actor's status gives its global name, and none for an unnamed actor",
                   "[status]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address named = sys.template create_actor<watched>(thespis::global_name{"registry"});
  address unnamed = sys.template create_actor<watched>();
  auto status = sys.template ask<actor_status>(named, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->global_name == "registry");
  status = sys.template ask<actor_status>(unnamed, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->global_name.empty());
}

TEMPLATE_TEST_CASE("the system status says when shutdown has begun", "[status]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<watched>();
  REQUIRE_FALSE(sys.status().shutting_down);
  REQUIRE(sys.shutdown().clean());
  const auto s = sys.status();
  CHECK(s.shutting_down);
  CHECK(s.live_actors.empty());
}
