// Behaviour every base must show for creating actors, from outside and from inside.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct count_request {};
struct make_child {};
struct make_by_name {
  std::string name;
};
struct created {
  address child;
};
struct failed {
  std::string what;
};

class counter : public thespis::actor {
 public:
  counter() {
    handle([this](int n) { total_ += n; });
    handle([this](const count_request&, const address& from) { send(from, total_); });
  }

 private:
  int total_ = 0;
};

const bool counter_registered = thespis::register_actor_type<counter>("test.counter");

struct who_handles {};
// A troupe: each message is handled by a member, which answers with its own address.
class pooled : public thespis::actor {
 public:
  static constexpr thespis::troupe_limits troupe{.max_members = 2, .idle_members = 2};
  pooled() {
    handle([this](const who_handles&, const address& from) { send(from, self()); });
  }
};

const bool pooled_registered = thespis::register_actor_type<pooled>("test.pooled");
struct make_supervised_pooled {};

// Creates a counter child and at once sends it 100 messages, before the child can have started.
class parent : public thespis::actor {
 public:
  parent() {
    handle([this](const make_child&, const address& from) {
      address child = create_actor<counter>();
      for (int i = 0; i < 100; ++i)
        send(child, 1);
      send(from, created{child});
    });
    handle([this](const make_supervised_pooled&, const address& from) {
      send(from, created{create_actor<pooled>(thespis::supervision{})});
    });
    handle([this](const make_by_name& m, const address& from) {
      try {
        send(from, created{create_actor(m.name)});
      } catch (const thespis::invalid_actor_specification& e) {
        send(from, failed{e.what()});
      }
    });
  }
};

// Sends itself a message from its constructor, which must not be lost.
class self_starter : public thespis::actor {
 public:
  self_starter() {
    handle([this](int n) { seen_ += n; });
    handle([this](const count_request&, const address& from) { send(from, seen_); });
    send(self(), 41);
  }

 private:
  int seen_ = 0;
};

class throws_in_constructor : public thespis::actor {
 public:
  throws_in_constructor() { throw std::runtime_error("cannot start"); }
};
}  // namespace

namespace {
// An actor lives inside its cell's allocation unless its class is over-aligned or very large;
// either way it must be built where its alignment holds, and destroyed exactly once.
struct layout_report {
  bool aligned = false;
  std::size_t state_sum = 0;
};
template <std::size_t Alignment, std::size_t Bytes>
class shaped : public thespis::actor {
 public:
  explicit shaped(std::shared_ptr<std::atomic<int>> destroyed) : destroyed_(std::move(destroyed)) {
    state_.fill(1);
    handle([this](const count_request&, const address& from) {
      std::size_t sum = 0;
      for (auto b : state_)
        sum += b;
      const auto where = reinterpret_cast<std::uintptr_t>(this);
      send(from, layout_report{where % Alignment == 0, sum});
    });
  }
  ~shaped() override { destroyed_->fetch_add(1); }

 private:
  std::shared_ptr<std::atomic<int>> destroyed_;
  alignas(Alignment) std::array<unsigned char, Bytes> state_{};
};

// A class whose first base is polymorphic too: its `actor` part is not at the start of the
// object, so not at the start of the cell's room.
struct polymorphic_first_base {
  virtual ~polymorphic_first_base() = default;
  std::uint64_t tag = 7;
};
class actor_part_not_first : public polymorphic_first_base, public shaped<8, 24> {
 public:
  using shaped::shaped;
};

template <class Base, class Actor, std::size_t Bytes>
void check_built_and_destroyed_once() {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  {
    thespis::actor_system sys{config_for<Base>()};
    address a = sys.template create_actor<Actor>(destroyed);
    auto report = sys.template ask<layout_report>(a, count_request{}, answer_within);
    REQUIRE(report);
    CHECK(report->aligned);
    CHECK(report->state_sum == Bytes);
  }
  CHECK(destroyed->load() == 1);
}
}  // namespace

TEMPLATE_TEST_CASE("actors of every size and alignment are built aligned and destroyed once",
                   "[create]", THESPIS_BASES) {
  check_built_and_destroyed_once<TestType, shaped<8, 8>, 8>();            // in the cell
  check_built_and_destroyed_once<TestType, shaped<16, 300>, 300>();       // in the cell, no slab
  check_built_and_destroyed_once<TestType, shaped<64, 64>, 64>();         // over-aligned: heap
  check_built_and_destroyed_once<TestType, shaped<8, 70'000>, 70'000>();  // too big for a room
  check_built_and_destroyed_once<TestType, actor_part_not_first, 24>();   // in the cell, offset
}

TEMPLATE_TEST_CASE("messages sent to a just-created child before it started are all delivered",
                   "[create]", THESPIS_BASES) {
  REQUIRE(counter_registered);
  thespis::actor_system sys{config_for<TestType>()};
  address p = sys.create_actor<parent>();
  auto made = sys.template ask<created>(p, make_child{}, answer_within);
  REQUIRE(made);
  REQUIRE(made->child);
  CHECK(made->child != p);
  // The child's 100 messages came from the parent before it replied, and the parent's sends to
  // the child happen-before our ask is sent, so they are ahead of it in the child's mailbox.
  CHECK(sys.template ask<int>(made->child, count_request{}, answer_within) == 100);
}

TEMPLATE_TEST_CASE("an actor's constructor can send messages to itself", "[create]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<self_starter>();
  CHECK(sys.template ask<int>(a, count_request{}, answer_within) == 41);
}

TEMPLATE_TEST_CASE("actors are created by registered type name from outside and inside", "[create]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address outside = sys.create_actor("test.counter");
  sys.tell(outside, 5);
  CHECK(sys.template ask<int>(outside, count_request{}, answer_within) == 5);

  address p = sys.create_actor<parent>();
  auto made = sys.template ask<created>(p, make_by_name{"test.counter"}, answer_within);
  REQUIRE(made);
  sys.tell(made->child, 2);
  CHECK(sys.template ask<int>(made->child, count_request{}, answer_within) == 2);
}

TEMPLATE_TEST_CASE("a troupe class is created as a troupe also with supervision or by type name",
                   "[create][troupe]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  // A troupe's address is its leader's: a member, not the addressee, answers.
  const auto handled_by_a_member = [&](const address& troupe) {
    auto who = sys.template ask<address>(troupe, who_handles{}, answer_within);
    return who && *who != troupe;
  };
  CHECK(handled_by_a_member(sys.template create_actor<pooled>()));  // as the class says
  address p = sys.template create_actor<parent>();
  auto supervised = sys.template ask<created>(p, make_supervised_pooled{}, answer_within);
  REQUIRE(supervised);
  CHECK(handled_by_a_member(supervised->child));
  REQUIRE(pooled_registered);
  CHECK(handled_by_a_member(sys.create_actor("test.pooled")));
  auto by_name = sys.template ask<created>(p, make_by_name{"test.pooled"}, answer_within);
  REQUIRE(by_name);
  CHECK(handled_by_a_member(by_name->child));
}

TEMPLATE_TEST_CASE("an unknown type name is an invalid actor specification", "[create]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  CHECK_THROWS_AS(sys.create_actor("no.such.type"), thespis::invalid_actor_specification);
  CHECK_THROWS_WITH(sys.create_actor("no.such.type"), Catch::Contains("no.such.type"));

  address p = sys.create_actor<parent>();
  auto reply = sys.ask(p, make_by_name{"no.such.type"}, answer_within);
  REQUIRE(reply);
  REQUIRE(reply->template is<failed>());
  CHECK(reply->template get<failed>().what.find("no.such.type") != std::string::npos);
}

TEMPLATE_TEST_CASE("a top-level actor whose constructor throws makes create_actor throw",
                   "[create]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const auto live = sys.live_actor_count();
  CHECK_THROWS_WITH(sys.template create_actor<throws_in_constructor>(), "cannot start");
  CHECK(sys.live_actor_count() == live);
}

TEST_CASE("an actor cannot be constructed outside a system") {
  CHECK_THROWS_AS(counter{}, std::logic_error);
}

TEST_CASE("an unknown system base is rejected with a clear error") {
  CHECK_THROWS_AS(thespis::actor_system(thespis::system_config{.base = "quantum"}),
                  thespis::invalid_system_config);
}

namespace {
struct built_and_handled {
  std::atomic<int> built{0};
  std::atomic<int> handled{0};
};

class reporting_child : public thespis::actor {
 public:
  explicit reporting_child(std::shared_ptr<built_and_handled> c) {
    c->built.fetch_add(1);
    handle([c](int) { c->handled.fetch_add(1); });
  }
};

// Makes a child and sends it a message, and sends itself nothing: its own mailbox stays empty.
class quiet_parent : public thespis::actor {
 public:
  explicit quiet_parent(std::shared_ptr<built_and_handled> c) {
    send(create_actor<reporting_child>(c), 1);
  }
};
}  // namespace

// semantics.md: on the simple base every outside call runs everything it caused before
// returning. With the new actor's own mailbox empty, its child waited unbuilt for the next call.
TEST_CASE("on the simple base, a create returns after what the constructor caused has run") {
  auto c = std::make_shared<built_and_handled>();
  thespis::actor_system sys{thespis::system_config{.base = "simple"}};
  sys.create_actor<quiet_parent>(c);
  CHECK(c->built.load() == 1);
  CHECK(c->handled.load() == 1);
}
