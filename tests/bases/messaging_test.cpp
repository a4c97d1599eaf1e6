// Behaviour every base must show for tell, ask and replies.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "support/bases.hpp"
#include "support/log_capture.hpp"
#include "support/on_destroy.hpp"

using namespace std::chrono_literals;
using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct ping {
  int n;
};
struct pong {
  int n;
};
struct get_log {};
struct log_reply {
  std::vector<int> values;
};

class echo : public thespis::actor {
 public:
  echo() {
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
  }
};

class recorder : public thespis::actor {
 public:
  recorder() {
    handle([this](int v) { values_.push_back(v); });
    handle([this](const get_log&, const address& from) { send(from, log_reply{values_}); });
  }

 private:
  std::vector<int> values_;
};

class silent : public thespis::actor {
 public:
  silent() {
    handle([](const ping&) {});
  }
};

// Counts copies, to prove in-process delivery moves messages.
struct copy_counter {
  explicit copy_counter(int* copies) : copies(copies) {}
  copy_counter(const copy_counter& o) : copies(o.copies) { ++*copies; }
  copy_counter(copy_counter&& o) noexcept = default;
  int* copies;
};

class move_checker : public thespis::actor {
 public:
  move_checker() {
    handle([this](std::unique_ptr<int> p, const address& from) { send(from, *p); });
    handle([this](copy_counter&& c, const address& from) { send(from, std::move(c)); });
  }
};

// Answers an int n with the n-th system message that outside code must not see.
class system_message_bouncer : public thespis::actor {
 public:
  void receive(thespis::message& msg, const address& from) override {
    switch (msg.get<int>()) {
      case 0:
        send(from, thespis::child_actor_exited{self()});
        break;
      case 1:
        send(from, thespis::dead_envelope{thespis::message{}, self(), {}});
        break;
      case 2:
        send(from, thespis::actor_exit_request{});
        break;
      default:
        send(from, thespis::wakeup_message{});
        break;
    }
  }
};

struct hold_reply {};
struct release_reply {};

// Keeps the sender of a hold_reply and answers it only when told to: a reply that comes after
// the ask has given up. Answers a ping at once.
class late_replier : public thespis::actor {
 public:
  late_replier() {
    handle([this](const hold_reply&, const address& from) { held_ = from; });
    handle([this](const release_reply&) { send(held_, pong{-1}); });
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
  }

 private:
  address held_;
};

class forwarder : public thespis::actor {
 public:
  explicit forwarder(address to) : to_(std::move(to)) {}
  void receive(thespis::message& msg, const address&) override { send(to_, std::move(msg)); }

 private:
  address to_;
};
}  // namespace

TEMPLATE_TEST_CASE("an actor that replies to the sender of an ask reaches the caller", "[ask]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  auto reply = sys.ask(a, ping{7}, answer_within);
  REQUIRE(reply);
  REQUIRE(reply->template is<pong>());
  CHECK(reply->template get<pong>().n == 7);
}

TEMPLATE_TEST_CASE("a typed ask returns the reply as that type and rejects another", "[ask]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  auto reply = sys.template ask<pong>(a, ping{3}, answer_within);
  REQUIRE(reply);
  CHECK(reply->n == 3);
  CHECK_THROWS_AS(sys.template ask<ping>(a, ping{4}, answer_within), thespis::bad_message_cast);
}

TEMPLATE_TEST_CASE("an ask that gets no reply returns nothing after the timeout", "[ask]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<silent>();
  CHECK_FALSE(sys.ask(a, ping{1}, 50ms));
  CHECK_FALSE(sys.template ask<pong>(a, ping{1}, 50ms));
}

TEMPLATE_TEST_CASE("messages told by one sender are received in the order sent", "[order]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address r = sys.create_actor<recorder>();
  std::vector<int> sent;
  for (int i = 0; i < 5000; ++i) {
    sys.tell(r, i);
    sent.push_back(i);
  }
  auto log = sys.template ask<log_reply>(r, get_log{}, answer_within);
  REQUIRE(log);
  CHECK(log->values == sent);
}

TEMPLATE_TEST_CASE("a message without a handler is discarded and counted, and the actor goes on",
                   "[dispatch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  sys.tell(a, std::string("nobody handles strings"));
  CHECK(sys.template ask<pong>(a, ping{9}, answer_within)->n == 9);
  CHECK(sys.status().unhandled_count == 1);
  // A system message the actor has no handler for is no mistake, and is not counted.
  sys.tell(a, thespis::actor_exit_request{});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.status().unhandled_count == 1);
}

namespace {
class echo_too : public thespis::actor {
 public:
  echo_too() {
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
  }
};
}  // namespace

TEMPLATE_TEST_CASE(
    "a message without a handler is logged once per actor class and message type, and each "
    "one is counted",
    "[dispatch][log]", THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  const address a = sys.template create_actor<echo>();
  const address b = sys.template create_actor<echo>();
  const address c = sys.template create_actor<echo_too>();
  for (int i = 0; i < 3; ++i)
    sys.tell(a, 7u);  // matching is by exact type: no handler takes an unsigned
  sys.tell(b, 7u);
  sys.tell(b, std::string("nobody handles strings"));
  sys.tell(c, 7u);
  for (const address& to : {a, b, c})
    REQUIRE(sys.template ask<pong>(to, ping{1}, answer_within));
  CHECK(sys.status().unhandled_count == 6);
  std::multiset<std::string> logged_pairs;  // "class / message type", one per warning
  for (const auto& r : logged.records()) {
    CHECK(r.level == thespis::log_level::warning);
    const std::string message_type = r.text.find("unsigned int") != std::string::npos ? "unsigned"
                                     : r.text.find("string") != std::string::npos     ? "string"
                                                                                      : r.text;
    const std::string actor_class =
        r.actor_class.find("echo_too") != std::string::npos ? "echo_too" : r.actor_class;
    logged_pairs.insert(actor_class.find("echo") != std::string::npos && actor_class != "echo_too"
                            ? "echo / " + message_type
                            : actor_class + " / " + message_type);
  }
  CHECK(logged_pairs ==
        std::multiset<std::string>{"echo / unsigned", "echo / string", "echo_too / unsigned"});
}

// Dropped unhandled, the message takes its reply address with it: nothing can answer the ask.
TEMPLATE_TEST_CASE(
    "an outside ask its receiver has no handler for returns nothing at once, not at its timeout",
    "[dispatch][ask]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address a = sys.template create_actor<echo>();
  auto asked = std::async(std::launch::async, [&] {
    return static_cast<bool>(sys.ask(a, 7u, std::chrono::hours(1)));  // echo takes ping only
  });
  const bool returned = asked.wait_for(answer_within) == std::future_status::ready;
  if (!returned) sys.shutdown();  // ends the ask, so that the test can end
  REQUIRE(returned);
  CHECK_FALSE(asked.get());
  CHECK(sys.status().unhandled_count == 1);
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("sending an empty message is an error, not a silent drop", "[message]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  thespis::message taken = std::move(*sys.template ask(a, ping{1}, answer_within));
  thespis::message empty = std::move(taken);  // `taken` is empty now
  CHECK_THROWS_AS(sys.tell(a, std::move(taken)), std::invalid_argument);
  CHECK_THROWS_AS(sys.ask(a, thespis::message{}, answer_within), std::invalid_argument);
  CHECK(empty.template is<pong>());
}

TEST_CASE("a default-constructed reference refuses to send, with a clear error", "[message]") {
  thespis::actor_ref<echo> nowhere;
  CHECK_THROWS_AS(nowhere.tell(ping{1}), std::logic_error);
}

namespace {
// Answers pings with their number until told to switch; from then on with ten times it.
struct switch_now {};
class switcher : public thespis::actor {
 public:
  switcher() {
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
    handle([this, note = std::make_shared<int>(10)](const switch_now&) {
      handle([this, note](const ping& p, const address& from) { send(from, pong{p.n * *note}); });
      handle([](const switch_now&) {});  // replaces the running handler
      ++*note;                           // its captures are still there
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("a handler may switch the actor's handlers, from the next message on",
                   "[dispatch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<switcher>();
  CHECK(sys.template ask<pong>(a, ping{2}, answer_within)->n == 2);
  sys.tell(a, switch_now{});
  CHECK(sys.template ask<pong>(a, ping{2}, answer_within)->n == 22);
  sys.tell(a, switch_now{});  // the replacement: does nothing
  CHECK(sys.template ask<pong>(a, ping{3}, answer_within)->n == 33);
}

namespace {
// Switches, then fails: the switch still counts (the retry and later messages see it).
struct switch_and_fail {};
class failing_switcher : public thespis::actor {
 public:
  failing_switcher() {
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
    handle([this](const switch_and_fail&) {
      handle([this](const ping& p, const address& from) { send(from, pong{-p.n}); });
      throw std::runtime_error("failed after switching");
    });
  }
};

// A handler that hands a message to the actor's own receive(): the switch made inside it must
// wait until the outer handler, which it replaces, has returned.
struct switch_through_receive {};
class nested_switcher : public thespis::actor {
 public:
  nested_switcher() {
    handle([this](const ping& p, const address& from) { send(from, pong{p.n}); });
    handle([this, note = std::make_shared<int>(10)](const switch_through_receive&,
                                                    const address& from) {
      thespis::message inner{thespis::detail::make_envelope(address{}, switch_now{})};
      receive(inner, from);  // replaces this very handler, and the ping handler
      ++*note;               // its captures are still there (ASan would see a freed note)
      handle([this, note](const ping& p, const address& to) { send(to, pong{p.n * *note}); });
    });
    handle([this](const switch_now&) {
      handle([](const switch_through_receive&) {});
      handle([this](const ping& p, const address& from) { send(from, pong{p.n + 1000}); });
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("handlers a failing handler registered apply from the next message",
                   "[dispatch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<failing_switcher>();
  sys.tell(a, switch_and_fail{});
  CHECK(sys.template ask<pong>(a, ping{4}, answer_within)->n == -4);
}

TEMPLATE_TEST_CASE("a switch made in a nested receive() waits until the outer handler returns",
                   "[dispatch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<nested_switcher>();
  sys.tell(a, switch_through_receive{});
  // Installed in the order registered: the outer handler's ping handler, added last, wins.
  CHECK(sys.template ask<pong>(a, ping{2}, answer_within)->n == 22);
  sys.tell(a, switch_through_receive{});  // replaced by the nested one: does nothing
  CHECK(sys.template ask<pong>(a, ping{3}, answer_within)->n == 33);
}

namespace {
using thespis::test::on_destroy;

// Its first ping handler holds an object that registers a handler for switch_now when it is
// destroyed: when the switch replaces that handler, once the message is done.
struct answer_switch {};
class switch_on_destruction : public thespis::actor {
 public:
  switch_on_destruction() {
    auto guard = std::make_shared<on_destroy>([this] {
      handle([this](const answer_switch&, const address& to) { send(to, pong{77}); });
    });
    handle([this, guard](const ping& p, const address& from) { send(from, pong{p.n}); });
    handle([this](const switch_now&) {
      handle([this](const ping& p, const address& from) { send(from, pong{-p.n}); });
    });
  }
};
}  // namespace

// The handler the destructor registers is held back (the actor is still in its message), and
// was left in the worker's list: never installed (or, later, into another actor's table).
TEMPLATE_TEST_CASE("a handler a replaced handler's destructor registers applies too", "[dispatch]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<switch_on_destruction>();
  CHECK(sys.template ask<pong>(a, ping{2}, answer_within)->n == 2);
  sys.tell(a, switch_now{});
  CHECK(sys.template ask<pong>(a, ping{2}, answer_within)->n == -2);
  auto answer = sys.template ask<pong>(a, answer_switch{}, answer_within);
  REQUIRE(answer);
  CHECK(answer->n == 77);
  CHECK(sys.status().unhandled_count == 0);
}

TEMPLATE_TEST_CASE("messages are moved to the receiver, never copied", "[message]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<move_checker>();
  CHECK(sys.template ask<int>(a, std::make_unique<int>(5), answer_within) == 5);
  int copies = 0;
  auto back = sys.template ask<copy_counter>(a, copy_counter{&copies}, answer_within);
  REQUIRE(back);
  CHECK(copies == 0);
}

TEMPLATE_TEST_CASE("a received message can be forwarded whole, keeping its payload", "[message]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address r = sys.create_actor<recorder>();
  address f = sys.create_actor<forwarder>(r);
  for (int i = 1; i <= 3; ++i)
    sys.tell(f, i);
  // The forwarded messages reach the recorder from the forwarder, not from us, so our ask may
  // overtake them on a threaded base: ask until all three are there (bounded).
  std::optional<log_reply> log;
  for (int attempt = 0; attempt < 10'000; ++attempt) {
    log = sys.template ask<log_reply>(r, get_log{}, answer_within);
    if (!log || log->values.size() >= 3) break;
  }
  REQUIRE(log);
  CHECK(log->values == std::vector<int>{1, 2, 3});
}

TEMPLATE_TEST_CASE("addresses work as keys of ordered and hashed maps", "[address]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  std::vector<address> actors;
  for (int i = 0; i < 50; ++i)
    actors.push_back(sys.create_actor<echo>());
  std::unordered_map<address, int> hashed;
  std::map<address, int> ordered;
  for (int i = 0; i < 50; ++i) {
    hashed[actors[i]] = i;
    ordered[actors[i]] = i;
  }
  CHECK(hashed.size() == 50);
  CHECK(ordered.size() == 50);
  for (int i = 0; i < 50; ++i) {
    address copy = actors[i];
    CHECK(hashed.at(copy) == i);
    CHECK(ordered.at(copy) == i);
  }
}

// The asks wait up to an hour: if they waited out their timeout, the test would hang, and
// CTest's timeout fail it.
TEMPLATE_TEST_CASE("an ask whose request becomes a dead letter returns nothing at once",
                   "[ask][dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  sys.tell(a, thespis::actor_exit_request{});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK_FALSE(sys.ask(a, ping{1}, std::chrono::hours(1)));
  CHECK_FALSE(sys.ask(address{}, ping{2}, std::chrono::hours(1)));
  CHECK(sys.dead_letter_count() == 2);
}

// A caller must tell a slow actor from a gone one, and a mistyped request from both: each way
// an ask ends without a reply has its own failure, text and exception.
TEMPLATE_TEST_CASE(
    "an ask that gets no reply says why: timed out, dead letter, unhandled, shut down",
    "[ask][dead-letter]", THESPIS_BASES) {
  using Catch::Matchers::Contains;
  thespis::actor_system sys{config_for<TestType>()};
  const address replier = sys.template create_actor<late_replier>();

  const auto held = sys.template ask<pong>(replier, hold_reply{}, 10ms);  // answered only later
  REQUIRE_FALSE(held);
  CHECK(held.failure() == thespis::ask_failure::timed_out);
  CHECK_THAT(held.description(), Contains("hold_reply") && Contains("no reply within 10 ms"));
  CHECK_THROWS_AS(held.value(), thespis::actor_system_request_timeout);

  const auto mistyped = sys.template ask<pong>(replier, 7u, std::chrono::hours(1));
  REQUIRE_FALSE(mistyped);
  CHECK(mistyped.failure() == thespis::ask_failure::unhandled);
  CHECK_THAT(mistyped.description(), Contains("unsigned") && Contains("no handler"));
  CHECK_THROWS_AS(mistyped.value(), thespis::invalid_actor_address);

  const auto nowhere = sys.template ask<pong>(address{}, ping{1}, std::chrono::hours(1));
  REQUIRE_FALSE(nowhere);
  CHECK(nowhere.failure() == thespis::ask_failure::dead_letter);
  CHECK_THAT(nowhere.description(), Contains("dead letter"));
  CHECK_THROWS_AS(nowhere.value(), thespis::invalid_actor_address);

  const auto answered = sys.template ask<pong>(replier, ping{2}, answer_within);
  REQUIRE(answered);
  CHECK(answered.value().n == 2);
  CHECK(answered.description().empty());

  REQUIRE(sys.shutdown().clean());
  const auto closed = sys.template ask<pong>(replier, ping{3}, std::chrono::hours(1));
  REQUIRE_FALSE(closed);
  CHECK(closed.failure() == thespis::ask_failure::shut_down);
  CHECK_THROWS_AS(closed.value(), thespis::system_shut_down);
}

// A timeout under a millisecond read "no reply within 0 ms", which sends the reader looking for
// a zero timeout that nobody set.
TEMPLATE_TEST_CASE("a timed-out ask states a sub-millisecond timeout exactly", "[ask]",
                   THESPIS_BASES) {
  using Catch::Matchers::Contains;
  thespis::actor_system sys{config_for<TestType>()};
  const address replier = sys.template create_actor<late_replier>();
  const auto held = sys.template ask<pong>(replier, hold_reply{}, 500us);
  REQUIRE_FALSE(held);
  CHECK_THAT(held.description(), Contains("no reply within 500 us"));
  const auto odd = sys.template ask<pong>(replier, hold_reply{}, 1500us);
  REQUIRE_FALSE(odd);
  CHECK_THAT(odd.description(), Contains("no reply within 1500 us"));
}

TEMPLATE_TEST_CASE("a message to the null address is counted as a dead letter", "[dead-letter]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const auto before = sys.dead_letter_count();
  sys.tell(address{}, ping{1});
  CHECK(sys.dead_letter_count() == before + 1);
}

TEMPLATE_TEST_CASE("replies to outside tells are received with listen, in order", "[listen]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<echo>();
  sys.tell(a, ping{1});
  sys.tell(a, ping{2});
  auto first = sys.listen(answer_within);
  auto second = sys.listen(answer_within);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->template get<pong>().n == 1);
  CHECK(second->template get<pong>().n == 2);
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(20)));
}

TEMPLATE_TEST_CASE("system messages other than poison and status never reach outside code",
                   "[listen]", THESPIS_BASES) {
  const int which = GENERATE(0, 1, 2, 3);  // child_actor_exited, dead_envelope, exit, wakeup
  CAPTURE(which);
  thespis::actor_system sys{config_for<TestType>()};
  address bouncer = sys.create_actor<system_message_bouncer>();
  sys.tell(bouncer, which);
  // The bouncer's answer has become a dead letter once the count moves; listen must not see it.
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 1; }));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
  // Nor does an ask take one as its answer: it is a dead letter too, and the ask gives up.
  CHECK_FALSE(sys.ask(bouncer, which, 50ms));
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 2; }));
}

TEMPLATE_TEST_CASE("a reply after its ask gave up is a dead letter, never a later ask's answer",
                   "[ask][dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<late_replier>();
  CHECK_FALSE(sys.ask(a, hold_reply{}, 10ms));
  sys.tell(a, release_reply{});  // the late reply goes to the first ask's reply address
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 1; }));
  for (int n = 1; n <= 100; ++n) {  // reply addresses are made afresh for every ask
    auto reply = sys.template ask<pong>(a, ping{n}, answer_within);
    REQUIRE(reply);
    CHECK(reply->n == n);
  }
  CHECK_FALSE(sys.listen(0ms));  // nor does it reach the outside inbox
  CHECK(sys.dead_letter_count() == 1);
}

TEST_CASE("many threads may ask at once and each gets its own reply") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  address a = sys.create_actor<echo>();
  std::atomic<int> wrong{0};
  std::vector<std::thread> askers;
  for (int t = 0; t < 8; ++t) {
    askers.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto reply = sys.ask<pong>(a, ping{t * 1000 + i}, answer_within);
        if (!reply || reply->n != t * 1000 + i) wrong.fetch_add(1);
      }
    });
  }
  for (auto& t : askers)
    t.join();
  CHECK(wrong.load() == 0);
}
