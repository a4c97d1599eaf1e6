// Behaviour every base must show for capabilities and actor requirements.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "support/bases.hpp"

using thespis::address;
using thespis::capability_map;
using thespis::requirements;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct what_did_you_see {};
struct seen_at_construction {
  bool had_gpu;
  std::size_t requirement_count;
};

class gpu_worker : public thespis::actor {
 public:
  static requirements actor_requirements() {
    return requirements{}.require_capability("gpu").require_capability("region", std::string("eu"));
  }
  gpu_worker()
      : seen_{capabilities().count("gpu") == 1, required_capabilities().capabilities().size()} {
    handle([this](const what_did_you_see&, const address& from) { send(from, seen_); });
  }

 private:
  seen_at_construction seen_;
};

class plain : public thespis::actor {};

struct make_gpu_child {};
struct set_capability {
  std::string name;
  std::optional<thespis::capability_value> value;
};
// Creates gpu workers as its children, changes capabilities, and counts its children's exits.
class manager : public thespis::actor {
 public:
  explicit manager(
      std::shared_ptr<std::atomic<int>> child_exits = std::make_shared<std::atomic<int>>(0)) {
    handle([child_exits](const thespis::child_actor_exited&) { child_exits->fetch_add(1); });
    handle([this](const make_gpu_child&, const address& from) {
      try {
        send(from, create_actor<gpu_worker>());
      } catch (const thespis::no_compatible_system_for_actor& e) {
        send(from, std::string(e.what()));
      }
    });
    handle([this](const set_capability& s, const address& from) {
      update_capability(s.name, s.value);
      send(from, true);
    });
  }
};

thespis::system_config with_gpu() {
  thespis::system_config config;
  config.capabilities["gpu"] = true;
  config.capabilities["region"] = std::string("eu");
  return config;
}
}  // namespace

TEMPLATE_TEST_CASE("an actor whose requirements the system lacks cannot be created", "[capability]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  CHECK_THROWS_AS(sys.template create_actor<gpu_worker>(), thespis::no_compatible_system_for_actor);
  CHECK_THROWS_WITH(sys.template create_actor<gpu_worker>(), Catch::Contains("'gpu'"));
  address m = sys.template create_actor<manager>();
  auto reply = sys.ask(m, make_gpu_child{}, answer_within);
  REQUIRE(reply);
  REQUIRE(reply->template is<std::string>());
  CHECK(reply->template get<std::string>().find("gpu") != std::string::npos);
  CHECK(sys.live_actor_count() == 1);
}

TEMPLATE_TEST_CASE(
    "an actor is created only if the system meets the requirements of its class and of its "
    "creation, equalities and custom checks alike",
    "[capability]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(with_gpu())};
  address w = sys.template create_actor<gpu_worker>();
  auto seen = sys.template ask<seen_at_construction>(w, what_did_you_see{}, answer_within);
  REQUIRE(seen);
  CHECK(seen->had_gpu);
  CHECK(seen->requirement_count == 2);

  CHECK_NOTHROW(sys.template create_actor<plain>(
      requirements{}.require_capability("region", std::string("eu"))));
  CHECK_THROWS_AS(sys.template create_actor<plain>(
                      requirements{}.require_capability("region", std::string("us"))),
                  thespis::no_compatible_system_for_actor);
  auto never =
      requirements{}.require([](const capability_map&, const requirements&) { return false; });
  CHECK_THROWS_AS(sys.template create_actor<plain>(never), thespis::no_compatible_system_for_actor);
}

TEMPLATE_TEST_CASE("a capability update asks actors that no longer fit to exit, and only them",
                   "[capability]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(with_gpu())};
  auto child_exits = std::make_shared<std::atomic<int>>(0);
  address m = sys.template create_actor<manager>(child_exits);
  auto w = sys.template ask<address>(m, make_gpu_child{}, answer_within);  // the manager's child
  REQUIRE(w);
  address p = sys.template create_actor<plain>();
  sys.update_capability("gpu");  // removed
  CHECK(eventually([&] { return sys.live_actor_count() == 2; }));
  auto live = sys.status().live_actors;
  std::sort(live.begin(), live.end());
  auto expected = std::vector<address>{m, p};
  std::sort(expected.begin(), expected.end());
  CHECK(live == expected);
  CHECK(sys.capabilities().count("gpu") == 0);
  // The manager hears of its child's end once: after shutdown any duplicate would be counted.
  REQUIRE(sys.shutdown().clean());
  CHECK(child_exits->load() == 1);
}

namespace {
// Requires nothing of the system, but counts how often it is checked.
thespis::requirements counted_check(std::shared_ptr<std::atomic<int>> checks) {
  return requirements{}.require([checks](const capability_map&, const requirements&) {
    checks->fetch_add(1);
    return true;
  });
}
}  // namespace

TEMPLATE_TEST_CASE("a capability update that changes nothing checks no actor's requirements",
                   "[capability]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(with_gpu())};
  auto checks = std::make_shared<std::atomic<int>>(0);
  sys.template create_actor<plain>(counted_check(checks));
  const int after_creation = checks->load();
  sys.update_capability("gpu", true);                  // the value it has
  sys.update_capability("region", std::string("eu"));  // likewise
  sys.update_capability("absent");                     // removing what is not there
  CHECK(checks->load() == after_creation);
  sys.update_capability("gpu", false);  // a change: every constrained actor is checked again
  CHECK(eventually([&] { return checks->load() > after_creation; }));
  CHECK(sys.live_actor_count() == 1);
}

TEMPLATE_TEST_CASE("an actor can update a capability of its system", "[capability]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(with_gpu())};
  auto child_exits = std::make_shared<std::atomic<int>>(0);
  address m = sys.template create_actor<manager>(child_exits);
  REQUIRE(sys.template ask<address>(m, make_gpu_child{}, answer_within));
  REQUIRE(sys.template ask<bool>(m, set_capability{"region", std::string("us")}, answer_within));
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));  // the manager only
  CHECK(std::get<std::string>(sys.capabilities().at("region")) == "us");
  REQUIRE(sys.shutdown().clean());
  CHECK(child_exits->load() == 1);
}

TEST_CASE("capability values are truthy as Thespian's are") {
  CHECK(thespis::truthy(true));
  CHECK_FALSE(thespis::truthy(false));
  CHECK(thespis::truthy(std::int64_t{2}));
  CHECK_FALSE(thespis::truthy(std::int64_t{0}));
  CHECK_FALSE(thespis::truthy(std::string()));
  CHECK(thespis::truthy(std::string("x")));
}

namespace {
// A plain object and a troupe that declare requirements, as an actor class does.
class plain_gpu_job {
 public:
  static requirements actor_requirements() { return requirements{}.require_capability("gpu"); }
  int twice(int n) const { return 2 * n; }
};

class gpu_troupe : public thespis::actor {
 public:
  static constexpr thespis::troupe_limits troupe{.max_members = 2, .idle_members = 1};
  static requirements actor_requirements() { return requirements{}.require_capability("gpu"); }
  gpu_troupe() {
    handle([this](int n, const address& from) { send(from, 2 * n); });
  }
};
}  // namespace

// They were created anyway: a plain object ran without its capability, and a troupe's leader
// failed its first message when it could not create a member (and read the retry's emptied
// message through a null pointer).
TEMPLATE_TEST_CASE("a plain class's or a troupe's requirements are checked at creation",
                   "[capability][plain-object][troupe]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  CHECK_THROWS_AS(sys.template create_actor<plain_gpu_job>(),
                  thespis::no_compatible_system_for_actor);
  CHECK_THROWS_WITH(sys.template create_actor<gpu_troupe>(), Catch::Contains("gpu"));
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE("a plain object or troupe whose capability goes away is asked to exit",
                   "[capability][plain-object][troupe]", THESPIS_BASES) {
  thespis::system_config config;
  config.capabilities["gpu"] = true;
  thespis::actor_system sys{config_for<TestType>(config)};
  auto job = sys.template create_actor<plain_gpu_job>();
  address troupe = sys.template create_actor<gpu_troupe>();
  CHECK(job.ask(&plain_gpu_job::twice, answer_within, 2) == 4);
  CHECK(sys.template ask<int>(troupe, 3, answer_within) == 6);
  sys.update_capability("gpu");
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  sys.tell(troupe, 4);  // to the gone leader: a dead letter, not a member it cannot make
  CHECK(sys.dead_letter_count() == 1);
}
