// Behaviour every base must show for actors created with a global name.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/bases.hpp"
#include "support/gate.hpp"

using thespis::actor_exit_request;
using thespis::address;
using thespis::global_name;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;
using thespis::test::gate;
using thespis::test::gate_opener;
using thespis::test::slow_to_exit;

namespace {
struct whoami {};
struct identity {
  std::string name;
  address parent;
};
struct create_named {
  std::string name;
};

class registry : public thespis::actor {
 public:
  registry() {
    handle([this](const whoami&, const address& from) { send(from, identity{name(), parent()}); });
    handle([this](const create_named& c, const address& from) {
      send(from, create_actor<registry>(global_name{c.name}));
    });
  }
};
class other_class : public thespis::actor {};

// A named service with a child that is slow to exit; answers an int with itself.
class service_with_slow_child : public thespis::actor {
 public:
  explicit service_with_slow_child(std::shared_ptr<gate> g) {
    create_actor<slow_to_exit>(std::move(g));
    handle([this](int, const address& from) { send(from, self()); });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("a global name gives the same actor whatever the class", "[named]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<registry>(global_name{"registry"});
  address b = sys.template create_actor<other_class>(global_name{"registry"});
  CHECK(a == b);
  CHECK(sys.live_actor_count() == 1);
  // Actors share the namespace with outside code.
  address maker = sys.template create_actor<registry>();
  CHECK(sys.template ask<address>(maker, create_named{"registry"}, answer_within) == a);
}

TEMPLATE_TEST_CASE("a named actor's parent is the system and it can read its own name", "[named]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address maker = sys.template create_actor<registry>();
  auto named = sys.template ask<address>(maker, create_named{"inner"}, answer_within);
  REQUIRE(named);
  auto id = sys.template ask<identity>(*named, whoami{}, answer_within);
  REQUIRE(id);
  CHECK(id->name == "inner");
  CHECK(id->parent == address{});
}

TEMPLATE_TEST_CASE("an exited named actor frees its name for a new actor", "[named]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address first = sys.template create_actor<registry>(global_name{"once"});
  sys.tell(first, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  address second = sys.template create_actor<registry>(global_name{"once"});
  CHECK(second != first);
  CHECK(sys.template ask<identity>(second, whoami{}, answer_within)->name == "once");
}

TEST_CASE("concurrent creates with one global name make one actor") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  std::vector<address> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = sys.create_actor<registry>(global_name{"race"}); });
  }
  for (auto& t : threads)
    t.join();
  for (auto& a : got)
    CHECK(a == got[0]);
  CHECK(sys.live_actor_count() == 1);
}

TEST_CASE("a name is free for a new actor as soon as its holder's exit handler has run") {
  auto g = std::make_shared<gate>();
  gate_opener opener{g};
  thespis::system_config config;
  config.workers = 2;  // one stays free while the child's exit handler holds the other
  thespis::actor_system sys{config_for<thespis::test::threaded_base>(config)};
  address first = sys.create_actor<service_with_slow_child>(global_name{"svc"}, g);
  sys.tell(first, actor_exit_request{});
  // Its child's exit handler holds the gate: the first ran its exit handler and asked its child
  // to exit, so it waits for it, dead for ordinary mail, and the name makes a new actor. (Waiting
  // for a 50 ms ask to go unanswered instead took a slow answer on a starved machine for that.)
  REQUIRE(eventually([&] { return g->has_waiter(); }));
  CHECK_FALSE(sys.ask<address>(first, 1, answer_within));
  address second = sys.create_actor<service_with_slow_child>(global_name{"svc"}, g);
  CHECK(second != first);
  CHECK(sys.ask<address>(second, 1, answer_within) == second);
  g->open();
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2; }));  // the second and its child
  CHECK(sys.create_actor<other_class>(global_name{"svc"}) == second);
}
