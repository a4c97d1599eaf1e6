// Send by id, spawn on demand through a director, retire on idle, on every base.
#include <catch2/catch.hpp>

#include <cereal/types/vector.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/bases.hpp"
#include "support/log_capture.hpp"

using thespis::address;
using thespis::spawn_request;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct agent_stats {
  std::atomic<int> created{0};
  std::atomic<int> disposed{0};
};

// One per user id; keeps what it was told across retirements.
class user_agent {
 public:
  using thespis_keep_state_on_retire = void;

  user_agent(thespis::context& ctx, std::shared_ptr<agent_stats> stats,
             std::chrono::milliseconds idle)
      : stats_(std::move(stats)) {
    if (idle.count() > 0) ctx.retire_when_idle_for(idle);
    stats_->created.fetch_add(1);
  }
  void dispose() { stats_->disposed.fetch_add(1); }

  void note(int value) { seen_.push_back(value); }
  std::vector<int> seen() const { return seen_; }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(seen_);
  }

 private:
  std::shared_ptr<agent_stats> stats_;
  std::vector<int> seen_;
};

// Creates user agents on demand — or declines, or waits for a go-ahead.
class agent_director : public thespis::actor {
 public:
  enum class mode { create, decline, hold, pass_out };
  struct go {};

  agent_director(std::shared_ptr<agent_stats> stats, std::chrono::milliseconds idle, mode m,
                 std::shared_ptr<std::vector<spawn_request>> outside = nullptr)
      : stats_(std::move(stats)), idle_(idle), mode_(m), outside_(std::move(outside)) {
    direct<user_agent>();
    handle([this](spawn_request& r) {
      if (mode_ == mode::create) create_for<user_agent>(r, stats_, idle_);
      if (mode_ == mode::hold) held_.push_back(std::move(r));
      if (mode_ == mode::pass_out) outside_->push_back(std::move(r));  // outlives the system
      // mode::decline: dropping the request declines it
    });
    // Answers whether every held request made an actor (a stale one makes none).
    handle([this](const go&, const address& from) {
      bool all_created = true;
      for (auto& r : held_)
        if (!create_for<user_agent>(r, stats_, idle_).address()) all_created = false;
      held_.clear();
      send(from, all_created);
    });
  }

 private:
  std::shared_ptr<agent_stats> stats_;
  std::chrono::milliseconds idle_;
  mode mode_;
  std::vector<spawn_request> held_;
  std::shared_ptr<std::vector<spawn_request>> outside_;
};

class message_queue {
 public:
  void push(std::string item) { items_.push_back(std::move(item)); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::string> items_;
};

// Runs sender(i) for i < n: on threads for the threaded base, one after the other for the
// simple base (which is driven from one thread).
template <class Base, class F>
void run_senders(int n, F sender) {
  if constexpr (std::is_same_v<Base, thespis::test::threaded_base>) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back(sender, i);
    for (auto& t : threads)
      t.join();
  } else {
    for (int i = 0; i < n; ++i)
      sender(i);
  }
}

// Each sender's values are s * 1'000'000 + 0, 1, 2…: checks that every sender's values arrived
// complete and in order.
bool complete_and_in_order(const std::vector<int>& seen, int senders, int per_sender) {
  std::vector<int> next(senders, 0);
  for (int v : seen) {
    const int s = v / 1'000'000;
    if (s >= senders || v % 1'000'000 != next[s]) return false;
    ++next[s];
  }
  for (int n : next)
    if (n != per_sender) return false;
  return true;
}

// Its first build throws.
class fragile {
 public:
  explicit fragile(const std::shared_ptr<std::atomic<int>>& builds) {
    if (builds->fetch_add(1) == 0) throw std::runtime_error("not built this time");
  }
  void note(int value) { seen_.push_back(value); }
  std::vector<int> seen() const { return seen_; }

 private:
  std::vector<int> seen_;
};

class fragile_director : public thespis::actor {
 public:
  explicit fragile_director(std::shared_ptr<std::atomic<int>> builds) {
    direct<fragile>();
    handle([this, builds](spawn_request& r) { create_for<fragile>(r, builds); });
  }
};

// An actor subclass bound to an id keeps its own state across retirement: a running total,
// kept as text when it exits, taken back by its next incarnation.
class tally : public thespis::actor {
 public:
  struct report {};

  tally() {
    if (auto kept = take_kept_state()) total_ = std::stoi(*kept);
    exit_when_idle_for(std::chrono::milliseconds(50));
    handle([this](int n) { total_ += n; });
    handle([this](const report&, const address& from) { send(from, total_); });
    handle([this](const thespis::actor_exit_request&) { keep_state(std::to_string(total_)); });
  }

 private:
  int total_ = 0;
};

class tally_director : public thespis::actor {
 public:
  tally_director() {
    direct<tally>();
    handle([this](spawn_request& r) { create_for<tally>(r); });
  }
};

// Fails on every spawn request.
class failing_director : public thespis::actor {
 public:
  failing_director() {
    direct<user_agent>();
    handle([](spawn_request&) { throw std::runtime_error("the director fails"); });
  }
};

using mode = agent_director::mode;
constexpr std::chrono::milliseconds never_idle{0};

// Creates user agents for every request, but only once outside code appoints it.
class appointed_director : public thespis::actor {
 public:
  explicit appointed_director(std::shared_ptr<agent_stats> stats) {
    handle([this, stats](spawn_request& r) { create_for<user_agent>(r, stats, never_idle); });
  }
};

struct record_dead_letters {};
struct get_dead_ids {};

// Records the id of each dead letter it receives (empty for one not sent by id).
class dead_id_recorder : public thespis::actor {
 public:
  dead_id_recorder() {
    handle([this](const record_dead_letters&, const address& from) {
      handle_dead_letters(true);
      send(from, true);
    });
    handle([this](const thespis::dead_envelope& d) { ids_.push_back(d.dead_id); });
    handle([this](const get_dead_ids&, const address& from) { send(from, ids_); });
  }

 private:
  std::vector<std::string> ids_;
};

// Keeps every dead letter it receives, as a dead-letter log would, and tells their ids.
class dead_letter_keeper : public thespis::actor {
 public:
  dead_letter_keeper() {
    handle([this](const record_dead_letters&, const address& from) {
      handle_dead_letters(true);
      send(from, true);
    });
    handle([this](thespis::dead_envelope& d) { kept_.push_back(std::move(d)); });
    handle([this](const get_dead_ids&, const address& from) {
      std::vector<std::string> ids;
      for (const auto& d : kept_)
        ids.push_back(d.dead_id);
      send(from, ids);
    });
  }

 private:
  std::vector<thespis::dead_envelope> kept_;
};

// Asks itself to exit, then sends mail by id to a class it directs: the spawn request this
// causes queues behind the exit request, so it reaches the director once it is gone.
class leaving_director : public thespis::actor {
 public:
  struct leave {};
  explicit leaving_director(std::shared_ptr<agent_stats> stats) {
    direct<user_agent>();
    handle([this, stats](spawn_request& r) { create_for<user_agent>(r, stats, never_idle); });
    handle([this](const leave&) {
      send(self(), thespis::actor_exit_request{});
      by_id<user_agent>("lee").tell(&user_agent::note, 1);
    });
  }
};

// An actor subclass bound to an id that tells who its parent is.
class id_holder : public thespis::actor {
 public:
  struct get_parent {};
  id_holder() {
    handle([this](const get_parent&, const address& from) { send(from, parent()); });
  }
};

class id_holder_director : public thespis::actor {
 public:
  id_holder_director() {
    direct<id_holder>();
    handle([this](spawn_request& r) { create_for<id_holder>(r); });
  }
};

// Takes its kept state twice as it starts; keeps what it was last told as it exits.
class keeper : public thespis::actor {
 public:
  struct report {};
  struct taken {
    std::optional<std::string> first, second;
  };

  keeper() : taken_{take_kept_state(), take_kept_state()} {
    exit_when_idle_for(std::chrono::milliseconds(50));
    handle([this](const std::string& s) { to_keep_ = s; });
    handle([this](const report&, const address& from) { send(from, taken_); });
    handle([this](const thespis::actor_exit_request&) {
      if (to_keep_) keep_state(*to_keep_);
    });
  }

 private:
  taken taken_;
  std::optional<std::string> to_keep_;
};

class keeper_director : public thespis::actor {
 public:
  keeper_director() {
    direct<keeper>();
    handle([this](spawn_request& r) { create_for<keeper>(r); });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("outside code can appoint an actor as a class's director", "[by-id]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  address director = sys.template create_actor<appointed_director>(stats);
  sys.template set_director<user_agent>(director);
  auto hana = sys.template by_id<user_agent>("hana");
  hana.tell(&user_agent::note, 1);
  CHECK(hana.ask(&user_agent::seen, answer_within) == std::vector<int>{1});
  CHECK(stats->created.load() == 1);
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("a director appointed by outside code is let go when it exits", "[by-id]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  auto token = std::make_shared<int>(0);  // held by the director's cell, in its requirements
  {
    const address director = sys.template create_actor<appointed_director>(
        thespis::requirements{}.require(
            [token](const thespis::capability_map&, const thespis::requirements&) { return true; }),
        stats);
    sys.template set_director<user_agent>(director);
    sys.tell(director, thespis::actor_exit_request{});
  }
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  // Its directorship ended with it: the directory let go of its address, and so of its cell.
  CHECK(eventually([&] { return token.use_count() == 1; }));
  sys.template by_id<user_agent>("lou").tell(&user_agent::note, 1);
  CHECK(eventually([&] { return sys.dead_letter_count() == 1; }));
  CHECK(stats->created.load() == 0);
}

TEMPLATE_TEST_CASE("a dead letter sent by id names the id nobody took", "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address office = sys.template create_actor<dead_id_recorder>();
  REQUIRE(sys.template ask<bool>(office, record_dead_letters{}, answer_within));
  sys.template by_id<user_agent>("ivan").tell(&user_agent::note, 1);  // no director
  sys.tell(address{}, 2);                                             // not by id
  std::vector<std::string> ids;
  CHECK(eventually([&] {
    auto got = sys.template ask<std::vector<std::string>>(office, get_dead_ids{}, answer_within);
    REQUIRE(got);
    ids = *got;
    return ids.size() == 2;
  }));
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"", "ivan"});
}

TEMPLATE_TEST_CASE(
    "a spawn request that finds its director gone declines: the mail is dead, the id free again",
    "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address office = sys.template create_actor<dead_letter_keeper>();
  REQUIRE(sys.template ask<bool>(office, record_dead_letters{}, answer_within));
  auto stats = std::make_shared<agent_stats>();
  sys.tell(sys.template create_actor<leaving_director>(stats), leaving_director::leave{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));  // the office
  auto dead_ids = [&] {
    auto got = sys.template ask<std::vector<std::string>>(office, get_dead_ids{}, answer_within);
    REQUIRE(got);
    return *got;
  };
  // The mail by id, and not the system's own request (which, kept by the office, would have
  // held that mail parked for as long as the office kept it).
  REQUIRE(eventually([&] { return !dead_ids().empty(); }));
  CHECK(dead_ids() == std::vector<std::string>{"lee"});
  sys.template create_actor<agent_director>(stats, never_idle, mode::create);
  auto lee = sys.template by_id<user_agent>("lee");
  lee.tell(&user_agent::note, 2);
  CHECK(lee.ask(&user_agent::seen, answer_within) == std::vector<int>{2});
  CHECK(stats->created.load() == 1);
}

TEMPLATE_TEST_CASE("an actor a director creates for an id is top-level", "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address director = sys.template create_actor<id_holder_director>();
  sys.template by_id<id_holder>("judy").tell(id_holder::get_parent{});
  auto parent = sys.listen(answer_within);
  REQUIRE(parent);
  CHECK(parent->template get<address>() == address{});
  auto status =
      sys.template ask<thespis::actor_status>(director, thespis::status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->children.empty());
  CHECK(sys.live_actor_count() == 2);
}

TEMPLATE_TEST_CASE("a director's exit ends its directorship: later mail by id is dead", "[by-id]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  address director = sys.template create_actor<agent_director>(stats, never_idle, mode::create);
  sys.tell(director, thespis::actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  sys.template by_id<user_agent>("kim").tell(&user_agent::note, 1);
  CHECK(eventually([&] { return sys.dead_letter_count() == 1; }));
  CHECK(stats->created.load() == 0);
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE(
    "kept state goes to the next incarnation only, and take_kept_state gives it once",
    "[by-id][retire]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<keeper_director>();
  auto k = sys.template by_id<keeper>("k");
  auto report = [&] {
    k.tell(keeper::report{});
    auto r = sys.listen(answer_within);
    REQUIRE(r);
    return r->template take<keeper::taken>();
  };
  CHECK_FALSE(report().first);  // the first incarnation: nothing was kept
  k.tell(std::string("kept"));  // it keeps this as it retires
  sys.advance_time(std::chrono::milliseconds(200));
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));  // the director only
  auto second = report();  // the second incarnation, which keeps nothing
  CHECK(second.first == std::optional<std::string>("kept"));
  CHECK_FALSE(second.second);  // taken already
  sys.advance_time(std::chrono::milliseconds(200));
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK_FALSE(report().first);  // the third: the state went to the second only
}

TEMPLATE_TEST_CASE(
    "messages sent by id while the director spawns their actors all arrive, in order per sender",
    "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  sys.template create_actor<agent_director>(stats, never_idle, mode::create);
  constexpr int senders = 2, ids = 20, per_id = 200;
  run_senders<TestType>(senders, [&](int s) {
    for (int i = 0; i < per_id; ++i)
      for (int id = 0; id < ids; ++id)
        sys.template by_id<user_agent>("user" + std::to_string(id))
            .tell(&user_agent::note, s * 1'000'000 + i);
  });
  for (int id = 0; id < ids; ++id) {
    auto agent = sys.template by_id<user_agent>("user" + std::to_string(id));
    CHECK(complete_and_in_order(agent.ask(&user_agent::seen, answer_within), senders, per_id));
  }
  CHECK(stats->created.load() == ids);  // one actor per id
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("with no director, messages by id become dead letters", "[by-id]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto nobody = sys.template by_id<user_agent>("nobody");
  nobody.tell(&user_agent::note, 1);
  nobody.tell(&user_agent::note, 2);
  CHECK(eventually([&] { return sys.dead_letter_count() == 2; }));
  CHECK(sys.live_actor_count() == 0);
}

TEMPLATE_TEST_CASE("a director that declines sends the waiting messages to dead letters", "[by-id]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  sys.template create_actor<agent_director>(stats, never_idle, mode::decline);
  for (int i = 0; i < 5; ++i)
    sys.template by_id<user_agent>("bob").tell(&user_agent::note, i);
  CHECK(eventually([&] { return sys.dead_letter_count() == 5; }));
  CHECK(stats->created.load() == 0);
}

TEMPLATE_TEST_CASE(
    "messages still waiting for an id's actor at shutdown are counted as dead letters", "[by-id]",
    THESPIS_BASES) {
  auto stats = std::make_shared<agent_stats>();
  auto outside = std::make_shared<std::vector<spawn_request>>();
  {
    thespis::actor_system sys{config_for<TestType>()};
    address director =
        sys.template create_actor<agent_director>(stats, never_idle, mode::pass_out, outside);
    for (int i = 0; i < 4; ++i)
      sys.template by_id<user_agent>("dana").tell(&user_agent::note, i);
    // The request left the system, so nothing inside can answer or decline it.
    auto director_handled_request = [&] {
      auto status = sys.template ask<thespis::actor_status>(director, thespis::status_request{},
                                                            answer_within);
      return status && status->messages_processed >= 1;
    };
    REQUIRE(eventually(director_handled_request));
    CHECK(sys.dead_letter_count() == 0);
    CHECK(sys.shutdown().clean());
    CHECK(sys.dead_letter_count() == 4);
  }
  CHECK(outside->size() == 1);  // dropped after the system is gone: declines nothing, no crash
  outside->clear();
  CHECK(stats->created.load() == 0);
}

TEMPLATE_TEST_CASE(
    "a director that throws on a spawn request declines it: the mail is dead letters", "[by-id]",
    THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<failing_director>();
  auto gina = sys.template by_id<user_agent>("gina");
  for (int i = 0; i < 3; ++i)
    gina.tell(&user_agent::note, i);
  // Nobody listens for the poison: the mail must not wait for that.
  CHECK(eventually([&] { return sys.dead_letter_count() == 3; }));
}

TEMPLATE_TEST_CASE("a director may create the actor later while messages wait for it in order",
                   "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  address director = sys.template create_actor<agent_director>(stats, never_idle, mode::hold);
  auto carol = sys.template by_id<user_agent>("carol");
  for (int i = 0; i < 50; ++i)
    carol.tell(&user_agent::note, i);
  REQUIRE(sys.template ask<bool>(director, agent_director::go{}, answer_within));
  for (int i = 50; i < 100; ++i)
    carol.tell(&user_agent::note, i);
  CHECK(complete_and_in_order(carol.ask(&user_agent::seen, answer_within), 1, 100));
  CHECK(stats->created.load() == 1);
}

TEMPLATE_TEST_CASE("a singleton is addressed by its type alone", "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto created = sys.template create_with_id<message_queue>("");
  auto queue = sys.template by_type<message_queue>();
  queue.tell(&message_queue::push, std::string("a"));
  queue.tell(&message_queue::push, std::string("b"));
  CHECK(queue.ask(&message_queue::size, answer_within) == 2);
  CHECK(sys.template create_with_id<message_queue>("").address() == created.address());
}

TEMPLATE_TEST_CASE("an actor retired when idle comes back through its director with its state",
                   "[by-id][retire]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  sys.template create_actor<agent_director>(stats, std::chrono::milliseconds(50), mode::create);
  auto dave = sys.template by_id<user_agent>("dave");
  dave.tell(&user_agent::note, 1);
  REQUIRE(eventually([&] { return stats->created.load() == 1; }));
  sys.advance_time(std::chrono::milliseconds(200));  // idle: retired
  REQUIRE(eventually([&] { return stats->disposed.load() == 1; }));
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));  // the director only
  dave.tell(&user_agent::note, 2);
  CHECK(dave.ask(&user_agent::seen, answer_within) == std::vector<int>{1, 2});
  CHECK(stats->created.load() == 2);
}

TEMPLATE_TEST_CASE("an actor subclass keeps its state across retirement with keep_state",
                   "[by-id][retire]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<tally_director>();
  auto t = sys.template by_id<tally>("t");
  t.tell(5);
  t.tell(7);
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2; }));
  sys.advance_time(std::chrono::milliseconds(200));  // idle: retired, its total kept
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));  // the director only
  t.tell(1);
  t.tell(tally::report{});
  auto total = sys.listen(answer_within);
  REQUIRE(total);
  CHECK(total->template get<int>() == 13);
}

TEMPLATE_TEST_CASE("retirements racing with new messages lose and reorder nothing",
                   "[by-id][retire]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  sys.template create_actor<agent_director>(stats, std::chrono::milliseconds(1), mode::create);
  auto erin = sys.template by_id<user_agent>("erin");
  constexpr int total = 3000;
  for (int i = 0; i < total; ++i) {
    erin.tell(&user_agent::note, i);
    if (i % 100 == 99) sys.advance_time(std::chrono::milliseconds(3));  // let it retire
  }
  // Retired at least once for certain (on a starved machine the pauses may all be too short,
  // and the director may not even have made it yet): the ask below brings it back.
  REQUIRE(eventually([&] { return stats->created.load() >= 1; }));
  sys.advance_time(std::chrono::milliseconds(3));
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));  // the director alone
  CHECK(complete_and_in_order(erin.ask(&user_agent::seen, answer_within), 1, total));
  CHECK(stats->created.load() > 1);  // it did retire and come back
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE(
    "a director answering a request made stale by an explicit creation creates nothing", "[by-id]",
    THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto stats = std::make_shared<agent_stats>();
  address director = sys.template create_actor<agent_director>(stats, never_idle, mode::hold);
  sys.template by_id<user_agent>("frank").tell(&user_agent::note, 1);  // the director holds it
  // Created explicitly, the actor takes the waiting message; it retires, and nothing waits.
  sys.template create_with_id<user_agent>("frank", stats, std::chrono::milliseconds(50));
  sys.advance_time(std::chrono::milliseconds(200));
  REQUIRE(eventually([&] { return stats->disposed.load() == 1; }));
  auto all_created = sys.template ask<bool>(director, agent_director::go{}, answer_within);
  REQUIRE(all_created);
  CHECK_FALSE(*all_created);  // the stale request made no actor, and create_for said so
  CHECK(stats->created.load() == 1);
  CHECK(eventually([&] { return sys.live_actor_count() == 1; }));  // the director only
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE(
    "the mail an id's actor held when its construction failed becomes dead letters, and later "
    "mail asks the director again",
    "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto builds = std::make_shared<std::atomic<int>>(0);
  sys.template create_actor<fragile_director>(builds);
  auto fred = sys.template by_id<fragile>("fred");
  fred.tell(&fragile::note, 1);  // handed to the first actor, which fails to build
  REQUIRE(eventually([&] { return sys.dead_letter_count() == 1; }));
  fred.tell(&fragile::note, 2);
  CHECK(fred.ask(&fragile::seen, answer_within) == std::vector<int>{2});
  CHECK(builds->load() == 2);
  CHECK(sys.dead_letter_count() == 1);
}

namespace {
// Directs fragile actors: counts the spawn requests it gets and holds them unanswered.
class holding_fragile_director : public thespis::actor {
 public:
  explicit holding_fragile_director(std::shared_ptr<std::atomic<int>> requests) {
    direct<fragile>();
    handle([this, requests](spawn_request& r) {
      requests->fetch_add(1);
      held_.push_back(std::move(r));
    });
  }

 private:
  std::vector<spawn_request> held_;
};
}  // namespace

TEMPLATE_TEST_CASE(
    "an outside create by id whose constructor throws sends the waiting mail to dead letters",
    "[by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto requests = std::make_shared<std::atomic<int>>(0);
  auto builds = std::make_shared<std::atomic<int>>(0);  // the first build throws
  sys.template create_actor<holding_fragile_director>(requests);
  auto frank = sys.template by_id<fragile>("frank");
  frank.tell(&fragile::note, 1);
  frank.tell(&fragile::note, 2);
  REQUIRE(eventually([&] { return requests->load() == 1; }));
  CHECK_THROWS_AS(sys.template create_with_id<fragile>("frank", builds), std::runtime_error);
  // The mail that waited went with the failed actor; the director is not asked again for it.
  CHECK(eventually([&] { return sys.dead_letter_count() == 2; }));
  CHECK(requests->load() == 1);
}

namespace {
// Keeps its state on retirement, but saving it fails.
class unsaveable {
 public:
  using thespis_keep_state_on_retire = void;
  explicit unsaveable(thespis::context& ctx) {
    ctx.retire_when_idle_for(std::chrono::milliseconds(50));
  }
  void poke() {}
  template <class Archive>
  void serialize(Archive&) {
    if constexpr (Archive::is_saving::value) throw std::runtime_error("disk full");
  }
};
}  // namespace

TEMPLATE_TEST_CASE("a state that fails to save at retirement is logged as an error, once",
                   "[by-id][retire]", THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  auto u = sys.template create_with_id<unsaveable>("u");
  u.ask(&unsaveable::poke, answer_within);
  sys.advance_time(std::chrono::milliseconds(200));  // idle: retired (virtual on the simple base)
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  const auto records = logged.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].level == thespis::log_level::error);
  CHECK_THAT(records[0].text,
             Catch::Contains("retiring without its state") && Catch::Contains("disk full"));
}

namespace {
// Hears of other actors' exits by id. Told to leave, it asks itself to exit and then sends its
// own id a notice: mail that reaches it after its exit request.
class exit_listener {
 public:
  exit_listener(thespis::context& ctx, std::string id, std::shared_ptr<std::atomic<int>> heard)
      : ctx_(ctx), id_(std::move(id)), heard_(std::move(heard)) {}
  static auto handlers() { return thespis::handler_list<&exit_listener::on_exited>{}; }
  void on_exited(const thespis::actor_exited&) { heard_->fetch_add(1); }
  void leave() {
    ctx_.exit();
    ctx_.by_id<exit_listener>(id_).tell(thespis::actor_exited{});
  }

 private:
  thespis::context& ctx_;
  std::string id_;
  std::shared_ptr<std::atomic<int>> heard_;
};

class exit_listener_director : public thespis::actor {
 public:
  explicit exit_listener_director(std::shared_ptr<std::atomic<int>> heard) {
    direct<exit_listener>();
    handle([this, heard](spawn_request& r) { create_for<exit_listener>(r, r.id, heard); });
  }
};
}  // namespace

// An exit notice is dropped by an actor that is gone (it means something only to the living),
// but one sent by id is mail for the id: it was dropped, uncounted, instead of going to the next
// actor with the id.
TEMPLATE_TEST_CASE("an exit notice sent by id to a retiring actor reaches its next incarnation",
                   "[by-id][retire]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto heard = std::make_shared<std::atomic<int>>(0);
  sys.template create_actor<exit_listener_director>(heard);
  sys.template by_id<exit_listener>("gina").tell(&exit_listener::leave);
  CHECK(eventually([&] { return heard->load() == 1; }));
  CHECK(sys.dead_letter_count() == 0);
}
