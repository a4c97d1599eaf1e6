// An actor's request with a plain message: the first message sent back is the reply, handled
// inside the asking actor, never blocking; what else can happen reaches its error handler.
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "support/bases.hpp"
#include "support/request_outcome.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::describe_request_error;

namespace {
struct quote_request {
  int n;
};
struct quote {
  int n;
};

// Answers a request for n with quote{2n} — except: 2 is answered twice, 3 never, 4 by a
// handler that throws (so the asker gets a poison message), 5 with a string, and 7 after a
// watch of the caller.
class quoter : public thespis::actor {
 public:
  quoter() {
    handle([this](const quote_request& r, const address& from) {
      switch (r.n) {
        case 2:
          send(from, quote{2 * r.n});
          send(from, quote{2 * r.n});
          break;
        case 3:
          break;
        case 4:
          throw std::runtime_error("no quote for 4");
        case 5:
          send(from, std::string("four"));
          break;
        case 7:  // monitors its caller first: the watch is no answer
          watch(from);
          send(from, quote{2 * r.n});
          break;
        default:
          send(from, quote{2 * r.n});
      }
    });
  }
};

struct ask_quote {
  address of;
  int n;
  std::chrono::milliseconds timeout{200};
};

class handles_nothing : public thespis::actor {};

// Requests a quote and reports "quote N" or "timeout" or "error <text>" to whoever asked.
class quote_asker : public thespis::actor {
 public:
  quote_asker() {
    handle([this](const ask_quote& a, const address& from) {
      request<quote>(a.of, quote_request{a.n}, a.timeout)
          .then([this, from](quote q) { send(from, "quote " + std::to_string(q.n)); },
                [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
    });
  }
};

// Requests with R = thespis::message and reports what came: "string four", "quote 2".
class any_answer_asker : public thespis::actor {
 public:
  any_answer_asker() {
    handle([this](const ask_quote& a, const address& from) {
      request<thespis::message>(a.of, quote_request{a.n}, a.timeout)
          .then(
              [this, from](thespis::message m) {
                if (const auto* text = m.try_get<std::string>()) send(from, "string " + *text);
                if (const auto* q = m.try_get<quote>()) send(from, "quote " + std::to_string(q->n));
              },
              [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
    });
  }
};

// Calls then() twice on one pending reply: the second is refused, and the first still gets the
// reply.
struct ask_quote_twice {
  address of;
};
class double_then_asker : public thespis::actor {
 public:
  double_then_asker() {
    handle([this](const ask_quote_twice& a, const address& from) {
      auto pending = request<quote>(a.of, quote_request{1}, std::chrono::hours(1));
      pending.then([this, from](quote q) { send(from, "first " + std::to_string(q.n)); },
                   [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
      try {
        pending.then([this, from](quote q) { send(from, "second " + std::to_string(q.n)); },
                     [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
      } catch (const std::logic_error& e) {
        send(from, std::string("refused: ") + e.what());
      }
    });
  }
};

// Calls then() on the request it keeps when told then_now, and reports the value, the error, or
// the refusal. The subclasses make the request: in a handler, or in the constructor.
struct then_now {};
class keeps_pending_quote : public thespis::actor {
 protected:
  keeps_pending_quote() {
    handle([this](const then_now&, const address& from) {
      try {
        pending_->then(
            [this, from](quote q) { send(from, "value " + std::to_string(q.n)); },
            [this, from](std::exception_ptr e) { send(from, describe_request_error(e)); });
      } catch (const std::logic_error& e) {
        send(from, std::string("refused: ") + e.what());
      }
    });
  }
  void request_quote(const address& of) {
    pending_.emplace(request<quote>(of, quote_request{1}, std::chrono::hours(1)));
  }

 private:
  std::optional<thespis::pending_reply<quote>> pending_;
};

// Makes a request in one message and calls then() in the next: refused, whether or not the
// reply came in between.
struct request_now {
  address of;
};
class late_then_asker : public keeps_pending_quote {
 public:
  late_then_asker() {
    handle([this](const request_now& r) { request_quote(r.of); });
  }
};

// Makes a request in its constructor and calls then() in a handler: refused, as for a handler.
struct ctor_request_of {
  address of;
};
class constructor_requester : public keeps_pending_quote {
 public:
  explicit constructor_requester(const ctor_request_of& r) { request_quote(r.of); }
};

// Keeps the sender of a quote request and answers it only when told to, with quote{1}.
struct answer_now {};
class late_quoter : public thespis::actor {
 public:
  late_quoter() {
    handle([this](const quote_request&, const address& from) { asker_ = from; });
    handle([this](const answer_now&) { send(asker_, quote{1}); });
  }

 private:
  address asker_;
};

// Tells outside code (whoever sent it report_here) what each dead letter is and whether it comes
// from `replier`.
struct report_here {};
class reply_office : public thespis::actor {
 public:
  explicit reply_office(address replier) : replier_(std::move(replier)) {
    handle_dead_letters();
    handle([this](const report_here&, const address& from) { outside_ = from; });
    handle([this](const thespis::dead_envelope& d, const address& from) {
      send(outside_, std::string(d.original.is<quote>() ? "a quote" : "something else") +
                         (from == replier_ ? " from the replier" : " from someone else"));
    });
  }

 private:
  address replier_;
  address outside_;
};

// A request that must be answered at once is given a timeout no run reaches (virtual time does not
// pass on the simple base; on the threaded one the test's own wait is far shorter).
constexpr std::chrono::milliseconds never = std::chrono::hours(1);

// Asks `asker` to request a quote for n from `of`, and returns what it reported.
std::string quote_for(thespis::actor_system& sys, const address& asker, const address& of, int n,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(200)) {
  sys.tell(asker, ask_quote{of, n, timeout});
  auto reply = sys.listen(answer_within);
  return reply ? reply->take<std::string>() : "nothing";
}
}  // namespace

TEMPLATE_TEST_CASE(
    "an actor's request takes the first message sent back as its reply, and a second one is a "
    "dead letter",
    "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<quote_asker>();
  CHECK(quote_for(sys, asker, q, 1) == "quote 2");
  CHECK(sys.dead_letter_count() == 0);
  CHECK(quote_for(sys, asker, q, 2) == "quote 4");
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 1; }));
  CHECK(quote_for(sys, asker, q, 6) == "quote 12");  // the asker goes on
}

TEMPLATE_TEST_CASE("an actor's request that is not answered in time reaches its error handler",
                   "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<quote_asker>();
  sys.tell(asker, ask_quote{q, 3});
  sys.advance_time(std::chrono::milliseconds(300));  // virtual on the simple base
  auto reply = sys.listen(answer_within);
  REQUIRE(reply);
  CHECK(reply->template take<std::string>() == "timeout");
}

TEMPLATE_TEST_CASE("an actor's request to a gone actor reaches its error handler at once",
                   "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  sys.tell(q, thespis::actor_exit_request{});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 0; }));
  const address asker = sys.template create_actor<quote_asker>();
  CHECK_THAT(quote_for(sys, asker, q, 1, never),
             Catch::StartsWith("error ") && Catch::Contains("became a dead letter"));
  CHECK(sys.dead_letter_count() == 1);  // the request; its error reply is not one
  // So does one to the null address.
  CHECK_THAT(quote_for(sys, asker, address{}, 1, never),
             Catch::StartsWith("error ") && Catch::Contains("became a dead letter"));
}

TEMPLATE_TEST_CASE(
    "an actor's request its receiver has no handler for reaches its error handler at once",
    "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address not_a_quoter = sys.template create_actor<handles_nothing>();
  const address asker = sys.template create_actor<quote_asker>();
  CHECK_THAT(quote_for(sys, asker, not_a_quoter, 1, never),
             Catch::StartsWith("error ") && Catch::Contains("no handler"));
  CHECK(sys.status().unhandled_count == 1);
}

TEMPLATE_TEST_CASE(
    "an actor's request answered with another type, or by a failing handler, reaches its error "
    "handler with what came",
    "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<quote_asker>();
  CHECK_THAT(quote_for(sys, asker, q, 5),
             Catch::StartsWith("error ") && Catch::Contains("string") && Catch::Contains("quote"));
  CHECK_THAT(quote_for(sys, asker, q, 4),
             Catch::StartsWith("error ") && Catch::Contains("no quote for 4"));
  CHECK(quote_for(sys, asker, q, 1) == "quote 2");
}

// The address a request gives as sender stands for the asking actor: the system's messages to
// it, such as a watch, are not the answer.
TEMPLATE_TEST_CASE("a watch of a request's sender is no answer, and watches the asking actor",
                   "[request][watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<quote_asker>();
  CHECK(quote_for(sys, asker, q, 7) == "quote 14");
  CHECK(sys.dead_letter_count() == 0);
  // The watch reached the asker: its exit is told to the quoter (which has no handler for the
  // notice, so counts it).
  sys.tell(asker, thespis::actor_exit_request{});
  CHECK(thespis::test::eventually([&] { return sys.status().unhandled_count == 1; }));
  CHECK(sys.dead_letter_count() == 0);
}

// The watch reached the asker, but the watcher kept the request's sender address, which the
// asker's exit notice does not name: it was never forgotten, and held the gone asker's cell for
// as long as the watcher lived (a service watching each caller grew by a cell per request).
TEMPLATE_TEST_CASE("a watcher of a request's sender does not keep the asker once it exited",
                   "[request][watch]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  // Each asker's cell keeps the requirements it was created with: the token's use count tells
  // how many of their cells are still allocated.
  auto token = std::make_shared<int>(0);
  constexpr int askers = 20;
  for (int i = 0; i < askers; ++i) {
    const address asker = sys.template create_actor<quote_asker>(thespis::requirements{}.require(
        [token](const thespis::capability_map&, const thespis::requirements&) { return true; }));
    REQUIRE(quote_for(sys, asker, q, 7) == "quote 14");
    sys.tell(asker, thespis::actor_exit_request{});
  }
  // The quoter counts each notice as unhandled; an outside request then makes it let go of the
  // last sender it handled (see sender_references.hpp).
  REQUIRE(thespis::test::eventually([&] { return sys.status().unhandled_count == askers; }));
  CHECK(thespis::test::eventually([&] {
    return sys.template ask<quote>(q, quote_request{1}, answer_within) && token.use_count() == 1;
  }));
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("a second then() on one request is refused, and the first gets the reply",
                   "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<double_then_asker>();
  sys.tell(asker, ask_quote_twice{q});
  auto refused = sys.listen(answer_within);
  REQUIRE(refused);
  CHECK_THAT(refused->template take<std::string>(),
             Catch::StartsWith("refused: ") && Catch::Contains("then()"));
  auto answer = sys.listen(answer_within);
  REQUIRE(answer);
  CHECK(answer->template take<std::string>() == "first 2");
  // The reply ended the request's one timeout: no timer of an hour is left holding the asker.
  CHECK(sys.status().pending_timers == 0);
}

TEMPLATE_TEST_CASE("then() called after the handler that made the request returned is refused",
                   "[request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<late_then_asker>();
  sys.tell(asker, request_now{q});
  sys.tell(asker, then_now{});
  auto refused = sys.listen(answer_within);
  REQUIRE(refused);
  CHECK_THAT(refused->template take<std::string>(),
             Catch::StartsWith("refused: ") && Catch::Contains("then()") &&
                 Catch::Contains("after the handler that made the request returned"));
  // No timeout of an hour was armed, and the reply, awaited by nobody, is a dead letter.
  CHECK(sys.status().pending_timers == 0);
  CHECK(thespis::test::eventually([&] { return sys.dead_letter_count() == 1; }));
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
}

TEMPLATE_TEST_CASE("then() in a handler for a request the constructor made is refused", "[request]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<constructor_requester>(ctor_request_of{q});
  sys.tell(asker, then_now{});
  auto refused = sys.listen(answer_within);
  REQUIRE(refused);
  CHECK_THAT(refused->template take<std::string>(),
             Catch::StartsWith("refused: ") && Catch::Contains("then()"));
  CHECK(sys.status().pending_timers == 0);
}

TEMPLATE_TEST_CASE(
    "a late reply to an actor's request reaches the dead-letter handler as the replier sent it",
    "[request][dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<late_quoter>();
  sys.tell(sys.template create_actor<reply_office>(q), report_here{});
  const address asker = sys.template create_actor<quote_asker>();
  // After the request timed out.
  sys.tell(asker, ask_quote{q, 1});
  sys.advance_time(std::chrono::milliseconds(300));  // virtual on the simple base
  auto timed_out = sys.listen(answer_within);
  REQUIRE(timed_out);
  CHECK(timed_out->template take<std::string>() == "timeout");
  sys.tell(q, answer_now{});
  auto dead = sys.listen(answer_within);
  REQUIRE(dead);
  CHECK(dead->template take<std::string>() == "a quote from the replier");
  // After the asking actor exited.
  sys.tell(asker, ask_quote{q, 1, never});
  (void)sys.template ask<thespis::actor_status>(q, thespis::status_request{}, answer_within);
  sys.tell(asker, thespis::actor_exit_request{});
  REQUIRE(thespis::test::eventually([&] { return sys.live_actor_count() == 2; }));
  sys.tell(q, answer_now{});
  dead = sys.listen(answer_within);
  REQUIRE(dead);
  CHECK(dead->template take<std::string>() == "a quote from the replier");
}

// It compiled and always failed: no answer is of type thespis::message itself.
TEMPLATE_TEST_CASE("a request for thespis::message takes an answer of any type", "[request]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address asker = sys.template create_actor<any_answer_asker>();
  for (const auto& [n, expected] : {std::pair{5, "string four"}, std::pair{1, "quote 2"}}) {
    sys.tell(asker, ask_quote{q, n, never});
    auto outcome = sys.listen(answer_within);
    REQUIRE(outcome);
    CHECK(outcome->template take<std::string>() == expected);
  }
}

namespace {
// Answers "which?" with "first" until a reply handler switches it to answer with the quote it
// got; the switch is made in then(), outside any message handler.
struct which {};
class switches_in_reply_handler : public thespis::actor {
 public:
  explicit switches_in_reply_handler(address quoter) {
    handle([this](const which&, const address& from) { send(from, std::string("first")); });
    handle([this, quoter](const ask_quote& a, const address& from) {
      request<quote>(quoter, quote_request{a.n}, a.timeout).then([this, from](quote q) {
        handle([this, n = q.n](const which&, const address& to) {
          send(to, "quote " + std::to_string(n));
        });
        send(from, std::string("switched"));
      });
    });
  }
};
}  // namespace

// A reply handler is the actor's code as a message handler is: handlers it registers apply
// from the next message. (They were held back and never installed.)
TEMPLATE_TEST_CASE("handlers a reply handler registers apply from the next message", "[request]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  const address q = sys.template create_actor<quoter>();
  const address a = sys.template create_actor<switches_in_reply_handler>(q);
  CHECK(sys.template ask<std::string>(a, which{}, answer_within) == "first");
  CHECK(sys.template ask<std::string>(a, ask_quote{q, 100, never}, answer_within) == "switched");
  CHECK(sys.template ask<std::string>(a, which{}, answer_within) == "quote 200");
  CHECK(sys.status().unhandled_count == 0);
}
