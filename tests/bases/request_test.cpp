// Actors asking typed references: the result comes back into the asking actor, never blocking.
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/bases.hpp"
#include "support/request_outcome.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::describe_request_error;

namespace {
class counter {
 public:
  void add(int n) { total_ += n; }
  int total() const { return total_; }
  int fail() const { throw std::runtime_error("broken"); }

 private:
  int total_ = 0;
};

struct ask_total {
  address of;
};
struct ask_failing {
  address of;
};

// Drops whatever it gets without a word, method calls included: nothing ever answers.
class deaf : public thespis::actor {
 protected:
  void unhandled(thespis::message&, const address&) override {}
};
class other {
 public:
  void poke() {}
};
struct ask_total_patiently {
  address of;
};

// Asks a counter for its total and reports the answer (or the error) to whoever asked it.
class auditor : public thespis::actor {
 public:
  auditor() {
    handle([this](const ask_total& a, const address& from) {
      ref<counter>(a.of)
          .request(&counter::total, std::chrono::milliseconds(200))
          .then([this, from](int total) { send(from, "total " + std::to_string(total)); },
                [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
    });
    handle([this](const ask_total_patiently& a, const address& from) {
      ref<counter>(a.of)
          .request(&counter::total, std::chrono::hours(1))
          .then([this, from](int total) { send(from, "total " + std::to_string(total)); },
                [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
    });
    handle([this](const ask_failing& a, const address& from) {
      ref<counter>(a.of)
          .request(&counter::fail, answer_within)
          .then([this, from](int) { send(from, std::string("no error")); },
                [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("an actor's request gets the method's result back inside the actor",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  c.tell(&counter::add, 42);
  address a = sys.template create_actor<auditor>();
  CHECK(sys.template ask<std::string>(a, ask_total{c.address()}, answer_within) == "total 42");
}

TEMPLATE_TEST_CASE("an exception in a requested method reaches the asking actor's error handler",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  address a = sys.template create_actor<auditor>();
  CHECK(sys.template ask<std::string>(a, ask_failing{c.address()}, answer_within) ==
        "error broken");
}

namespace {
struct ask_then_exit {
  address of;
};

// Requests a counter's total, then asks itself to exit: the exit request is in its mailbox
// before the counter's reply can be.
class leaving_auditor : public thespis::actor {
 public:
  leaving_auditor() {
    handle([this](const ask_then_exit& a, const address& from) {
      ref<counter>(a.of)
          .request(&counter::total, answer_within)
          .then([this, from](int) { send(from, std::string("answer")); },
                [this, from](std::exception_ptr) { send(from, std::string("error")); });
      send(self(), thespis::actor_exit_request{});
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("a reply that comes after the asking actor began to exit is a dead letter",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  address a = sys.template create_actor<leaving_auditor>();
  sys.tell(a, ask_then_exit{c.address()});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 1; }));  // the reply
  // Neither callback ran: the actor had gone.
  CHECK(c.ask(&counter::total, answer_within) == 0);  // the counter has answered by now
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
  CHECK(sys.dead_letter_count() == 1);
}

TEMPLATE_TEST_CASE("a request to a gone actor reaches the error handler at once, as a dead letter",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  sys.tell(c.address(), thespis::actor_exit_request{});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 0; }));
  address a = sys.template create_actor<auditor>();
  sys.tell(a, ask_total{c.address()});  // the auditor's timeout is 200 ms: no time passes here
  auto reply = sys.listen(answer_within);
  REQUIRE(reply);
  CHECK_THAT(reply->template take<std::string>(),
             Catch::StartsWith("error request") && Catch::Contains("became a dead letter"));
  CHECK(sys.dead_letter_count() == 1);  // the call itself; its error reply is not one
}

TEMPLATE_TEST_CASE("a request without a reply in time reaches the error handler as a timeout",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  // Not a counter: it drops the call as unhandled, and no reply ever comes.
  address not_a_counter = sys.template create_actor<deaf>();
  address a = sys.template create_actor<auditor>();
  sys.tell(a, ask_total{not_a_counter});
  sys.advance_time(std::chrono::milliseconds(300));  // virtual on the simple base
  auto reply = sys.listen(answer_within);
  REQUIRE(reply);
  CHECK(reply->template take<std::string>() == "timeout");
}

// The request waits up to an hour: had it waited out its timeout, CTest's timeout would fail it.
TEMPLATE_TEST_CASE("a request to an actor of another class reaches the error handler at once",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto not_a_counter = sys.template create_actor<other>();
  address a = sys.template create_actor<auditor>();
  sys.tell(a, ask_total_patiently{not_a_counter.address()});
  auto reply = sys.listen(answer_within);
  REQUIRE(reply);
  CHECK_THAT(reply->template take<std::string>(),
             Catch::StartsWith("error request") && Catch::Contains("method call of") &&
                 Catch::Contains("counter") &&
                 Catch::Contains(not_a_counter.address().to_string()));
  CHECK(sys.status().unhandled_count == 1);
  CHECK(sys.dead_letter_count() == 0);
}

// From outside, then() could only refuse after the call had run, and the reply then reached
// listen() as a system message. The request is refused before anything is sent.
TEMPLATE_TEST_CASE("outside code's request is refused before the call is sent",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  CHECK_THROWS_AS(
      c.request(&counter::add, answer_within, 5).then([] {}, [](const std::exception_ptr&) {}),
      std::logic_error);
  CHECK(c.ask(&counter::total, answer_within) == 0);  // add(5) never ran
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(50)));
  CHECK(sys.dead_letter_count() == 0);
}

namespace {
// Answers only once the test opens its gate.
class gated_counter {
 public:
  explicit gated_counter(std::shared_ptr<std::latch> gate) : gate_(std::move(gate)) {}
  int total() const {
    gate_->wait();
    return 7;
  }

 private:
  std::shared_ptr<std::latch> gate_;
};

struct ask_gated {
  address of;
};

class impatient_auditor : public thespis::actor {
 public:
  impatient_auditor() {
    handle([this](const ask_gated& a, const address& from) {
      ref<gated_counter>(a.of)
          .request(&gated_counter::total, std::chrono::milliseconds(20))
          .then([this, from](int) { send(from, std::string("answer")); },
                [this, from](std::exception_ptr) { send(from, std::string("timeout")); });
    });
  }
};
}  // namespace

TEST_CASE("a reply that comes after its request timed out becomes a dead letter") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  auto gate = std::make_shared<std::latch>(1);
  auto c = sys.create_actor<gated_counter>(gate);
  address a = sys.create_actor<impatient_auditor>();
  sys.tell(a, ask_gated{c.address()});
  auto first = sys.listen(answer_within);
  REQUIRE(first);
  CHECK(first->take<std::string>() == "timeout");
  const auto dead_before = sys.dead_letter_count();
  gate->count_down();  // the answer now comes, too late
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == dead_before + 1; }));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));  // and the actor never saw it
}

namespace {
struct make_the_call {};

// Makes an outside-code call (`call`, given the system) from inside a handler, and reports what
// came of it: its own description, or "refused: " and the error's text.
class inside_caller : public thespis::actor {
 public:
  using call = std::function<std::string(thespis::actor_system&)>;
  inside_caller(thespis::actor_system* sys, call c) {
    handle([this, sys, c](const make_the_call&, const address& from) {
      std::string outcome;
      try {
        outcome = c(*sys);
      } catch (const std::logic_error& e) {
        outcome = std::string("refused: ") + e.what();
      }
      send(from, outcome);
    });
  }
};

class string_echo : public thespis::actor {
 public:
  string_echo() {
    handle([this](const std::string& s, const address& from) { send(from, s); });
  }
};
}  // namespace

// The worker a handler blocks may be the one that would run the asked actor (the next one to
// run there, after this handler): the blocking ask would wait out its timeout. It is refused
// at once, pointing to the non-blocking request.
TEMPLATE_TEST_CASE("an actor that uses the system's blocking ask is refused, and told of request",
                   "[ask]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address echo = sys.create_actor<string_echo>();
  address asker = sys.create_actor<inside_caller>(&sys, [echo](thespis::actor_system& s) {
    return s.ask(echo, std::string("ping"), std::chrono::seconds(2)) ? "answered" : "timed out";
  });
  auto outcome = sys.template ask<std::string>(asker, make_the_call{}, answer_within);
  REQUIRE(outcome);
  CHECK_THAT(*outcome,
             Catch::Matchers::StartsWith("refused: ") && Catch::Matchers::Contains("request("));
}

namespace {
class answerer {
 public:
  int answer() { return 42; }
};
}  // namespace

// A reference made by the system sends as outside code: an actor that requests through one
// (say, a reference it was given at construction) is told to make its own.
TEMPLATE_TEST_CASE(
    "an actor that requests through a reference the system made is told to make its own",
    "[ask][calculon]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto target = sys.template create_actor<answerer>();  // a reference the system made
  address caller = sys.create_actor<inside_caller>(&sys, [target](thespis::actor_system&) {
    target.request(&answerer::answer, answer_within).then([](int) {});
    return std::string("sent");
  });
  auto outcome = sys.template ask<std::string>(caller, make_the_call{}, answer_within);
  REQUIRE(outcome);
  CHECK_THAT(*outcome, Catch::Matchers::StartsWith("refused: ") &&
                           Catch::Matchers::Contains("ref<T>(address)"));
  // Outside code that does the same is pointed to ask, as before.
  CHECK_THROWS_WITH(target.request(&answerer::answer, answer_within).then([](int) {}),
                    Catch::Matchers::Contains("actor_ref::ask"));
}

// listen reads what actors send to outside code: an actor using it would block its worker and
// take those messages from the code they are for.
TEMPLATE_TEST_CASE("an actor that uses the system's listen is refused", "[listen]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address listener = sys.create_actor<inside_caller>(&sys, [](thespis::actor_system& s) {
    return s.listen(std::chrono::milliseconds(200)) ? "took a message" : "timed out";
  });
  auto outcome = sys.template ask<std::string>(listener, make_the_call{}, answer_within);
  REQUIRE(outcome);
  CHECK_THAT(*outcome, Catch::Matchers::StartsWith("refused: "));
}
