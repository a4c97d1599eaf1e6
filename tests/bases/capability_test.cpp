// Behaviour every base must show for capabilities and actor requirements.
#include <catch2/catch.hpp>

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
class manager : public thespis::actor {
 public:
  manager() {
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

TEMPLATE_TEST_CASE("requirements stack: class, creation, equality and custom checks",
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
  address w = sys.template create_actor<gpu_worker>();
  address p = sys.template create_actor<plain>();
  sys.update_capability("gpu", true);  // no change: touches no actor
  CHECK(sys.live_actor_count() == 2);
  sys.update_capability("gpu");  // removed
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK(sys.status().live_actors == std::vector<address>{p});
  CHECK(sys.capabilities().count("gpu") == 0);
  (void)w;
}

TEMPLATE_TEST_CASE("an actor can update a capability of its system", "[capability]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(with_gpu())};
  address w = sys.template create_actor<gpu_worker>();
  address m = sys.template create_actor<manager>();
  REQUIRE(sys.template ask<bool>(m, set_capability{"region", std::string("us")}, answer_within));
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK(std::get<std::string>(sys.capabilities().at("region")) == "us");
  (void)w;
}

TEST_CASE("capability values are truthy as Thespian's are") {
  CHECK(thespis::truthy(true));
  CHECK_FALSE(thespis::truthy(false));
  CHECK(thespis::truthy(std::int64_t{2}));
  CHECK_FALSE(thespis::truthy(std::int64_t{0}));
  CHECK_FALSE(thespis::truthy(std::string()));
  CHECK(thespis::truthy(std::string("x")));
}
