// Behaviour every base must show for messages that cannot be delivered.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "support/bases.hpp"
#include "support/gate.hpp"

using namespace std::chrono_literals;
using thespis::actor_exit_request;
using thespis::actor_status;
using thespis::address;
using thespis::dead_envelope;
using thespis::troupe_limits;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;
using thespis::test::gate;
using thespis::test::gate_opener;
using thespis::test::slow_to_exit;

namespace {
struct start_handling {
  bool on;
};
struct get_seen {};
struct seen {
  std::vector<int> values;
  std::vector<address> dead;
  std::vector<address> senders;  // of the dead envelopes
};

class dead_letter_office : public thespis::actor {
 public:
  dead_letter_office() {
    handle([this](const start_handling& s, const address& from) {
      handle_dead_letters(s.on);
      send(from, true);
    });
    handle([this](const dead_envelope& d, const address& from) {
      if (auto* v = d.original.try_get<int>()) log_.values.push_back(*v);
      log_.dead.push_back(d.dead_address);
      log_.senders.push_back(from);
    });
    handle([this](const get_seen&, const address& from) { send(from, log_); });
  }

 private:
  seen log_;
};

class mortal : public thespis::actor {};

struct post {
  address to;
  int value;
};

// Sends what it is told to send, as itself.
class poster : public thespis::actor {
 public:
  poster() {
    handle([this](const post& p) { send(p.to, p.value); });
  }
};

// Has a slow child and a wakeup pending: asked to exit, it waits for the child meanwhile.
class waits_for_its_child : public thespis::actor {
 public:
  explicit waits_for_its_child(std::shared_ptr<gate> g) {
    create_actor<slow_to_exit>(std::move(g));
    wakeup_after(20ms);
  }
};

struct job {};
class troupe_worker : public thespis::actor {
 public:
  static constexpr troupe_limits troupe{.max_members = 4, .idle_members = 4};
  explicit troupe_worker(std::shared_ptr<std::atomic<int>> handled) {
    handle([handled](const job&) { ++*handled; });
  }
};

class watched : public thespis::actor {};
class watcher : public thespis::actor {
 public:
  explicit watcher(const address& target) { watch(target); }
};
}  // namespace

TEST_CASE("an actor waiting for its children answers status, and its wakeups are no dead letters",
          "[dead-letter]") {
  auto g = std::make_shared<gate>();
  gate_opener opener{g};
  thespis::system_config config;
  config.workers = 2;  // one stays free while the child's exit handler holds the other
  thespis::actor_system sys{config_for<thespis::test::threaded_base>(config)};
  address parent = sys.create_actor<waits_for_its_child>(g);
  sys.tell(parent, actor_exit_request{});
  // Exiting but live: it answers; its wakeup comes due meanwhile and is dropped with it.
  REQUIRE(eventually([&] {
    auto status = sys.ask<actor_status>(parent, thespis::status_request{}, answer_within);
    return status && status->pending_wakeups == 0;
  }));
  CHECK(sys.dead_letter_count() == 0);
  g->open();
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("a troupe asked to exit after its work leaves no dead letters", "[dead-letter]",
                   THESPIS_BASES) {
  auto handled = std::make_shared<std::atomic<int>>(0);
  thespis::actor_system sys{config_for<TestType>()};
  address troupe = sys.template create_actor<troupe_worker>(handled);
  for (int i = 0; i < 40; ++i)
    sys.tell(troupe, job{});
  sys.tell(troupe, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(*handled == 40);
  // Members that finish while their leader exits tell it they are ready: nothing is lost.
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("a clean shutdown of watchers and the actors they watch counts no dead letters",
                   "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  for (int i = 0; i < 200; ++i)
    sys.template create_actor<watcher>(sys.template create_actor<watched>());
  REQUIRE(sys.shutdown().clean());
  // A watched actor's exit notice to a watcher that went at the same moment tells nobody
  // anything: no lost message.
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("dead letters reach the registered handler in order, with the dead address",
                   "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address office = sys.template create_actor<dead_letter_office>();
  REQUIRE(sys.template ask<bool>(office, start_handling{true}, answer_within));
  address gone = sys.template create_actor<mortal>();
  sys.tell(gone, actor_exit_request{});
  for (int i = 0; i < 100; ++i)
    sys.tell(gone, i);
  REQUIRE(eventually([&] {
    auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
    return s && s->values.size() == 100;
  }));
  auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
  std::vector<int> expected;
  for (int i = 0; i < 100; ++i)
    expected.push_back(i);
  CHECK(s->values == expected);
  CHECK(s->dead.front() == gone);
  CHECK(sys.status().dead_letter_handler == office);
}

TEMPLATE_TEST_CASE("the latest dead-letter handler wins, and deregistering leaves none",
                   "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address first = sys.template create_actor<dead_letter_office>();
  address second = sys.template create_actor<dead_letter_office>();
  REQUIRE(sys.template ask<bool>(first, start_handling{true}, answer_within));
  REQUIRE(sys.template ask<bool>(second, start_handling{true}, answer_within));
  CHECK(sys.status().dead_letter_handler == second);
  sys.tell(address{}, 7);
  REQUIRE(eventually([&] {
    return sys.template ask<seen>(second, get_seen{}, answer_within)->values.size() == 1;
  }));
  CHECK(sys.template ask<seen>(first, get_seen{}, answer_within)->values.empty());

  REQUIRE(sys.template ask<bool>(second, start_handling{false}, answer_within));
  CHECK(sys.status().dead_letter_handler == address{});
  const auto before = sys.dead_letter_count();
  sys.tell(address{}, 8);
  CHECK(sys.dead_letter_count() == before + 1);  // no handler: counted and dropped
}

TEMPLATE_TEST_CASE("a dead-letter handler that exits leaves none", "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address office = sys.template create_actor<dead_letter_office>();
  REQUIRE(sys.template ask<bool>(office, start_handling{true}, answer_within));
  sys.tell(office, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.status().dead_letter_handler == address{}; }));
  const auto before = sys.dead_letter_count();
  sys.tell(address{}, 1);
  CHECK(sys.dead_letter_count() == before + 1);
}

TEMPLATE_TEST_CASE("a dead envelope comes from the original sender, not from the system",
                   "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address office = sys.template create_actor<dead_letter_office>();
  REQUIRE(sys.template ask<bool>(office, start_handling{true}, answer_within));
  address gone = sys.template create_actor<mortal>();
  sys.tell(gone, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  address sender = sys.template create_actor<poster>();
  sys.tell(sender, post{gone, 1});
  sys.tell(sender, post{address{}, 2});  // to the null address: a dead letter too
  REQUIRE(eventually([&] {
    auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
    return s && s->values.size() == 2;
  }));
  auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
  CHECK(s->values == std::vector<int>{1, 2});
  CHECK(s->senders == std::vector<address>{sender, sender});
  CHECK(s->dead == std::vector<address>{gone, address{}});
}

TEMPLATE_TEST_CASE("an exit request to an actor already gone is dropped, not a dead letter",
                   "[dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address gone = sys.template create_actor<mortal>();
  sys.tell(gone, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  sys.tell(gone, actor_exit_request{});  // asking twice loses nothing
  sys.tell(gone, 1);                     // a message is lost, and counted
  CHECK(eventually([&] { return sys.dead_letter_count() == 1; }));
  // The same with a dead-letter handler: it sees the message, not the exit request.
  address office = sys.template create_actor<dead_letter_office>();
  REQUIRE(sys.template ask<bool>(office, start_handling{true}, answer_within));
  sys.tell(gone, actor_exit_request{});
  sys.tell(gone, 2);
  REQUIRE(eventually([&] {
    auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
    return s && s->values.size() == 1;
  }));
  auto s = sys.template ask<seen>(office, get_seen{}, answer_within);
  CHECK(s->values == std::vector<int>{2});
  CHECK(s->dead.size() == 1);
}
