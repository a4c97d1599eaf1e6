// Plain-object actors and typed method-call messages, on every base.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/bases.hpp"
#include "support/log_capture.hpp"

using thespis::actor_exit_request;
using thespis::address;
using thespis::message_meta;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
// No Thespis in sight: an ordinary class.
class counter {
 public:
  void add(int n) { total_ += n; }
  int total() const { return total_; }
  void reset() { total_ = 0; }

 private:
  int total_ = 0;
};

class other {
 public:
  void poke() {}
};

// Asks for its actor's context by signature.
class greeter {
 public:
  greeter(thespis::context& ctx, std::string greeting)
      : ctx_(ctx), greeting_(std::move(greeting)) {}
  std::string greet(const std::string& who) const { return greeting_ + ", " + who; }
  address me() const { return ctx_.self(); }

 private:
  thespis::context& ctx_;
  std::string greeting_;
};

// Asks for its own address only.
class self_aware {
 public:
  explicit self_aware(const address& self) : self_(self) {}
  address me() const { return self_; }

 private:
  address self_;
};

struct ping {
  int n;
};
struct text {
  std::string value;
};

// Handles plain messages with listed member functions.
class listener {
 public:
  static auto handlers() { return thespis::handler_list<&listener::on_ping, &listener::on_text>{}; }
  void on_ping(const ping& p) { log_.push_back(std::to_string(p.n)); }
  void on_text(text t, const message_meta& meta) {
    log_.push_back(t.value + (meta.sender ? " from someone" : " from nobody"));
  }
  std::vector<std::string> log() const { return log_; }

 private:
  std::vector<std::string> log_;
};

class failing {
 public:
  int fail() {
    ++attempts_;
    throw std::runtime_error("no total today");
  }
  void fail_once() {
    if (++attempts_ == 1) throw std::runtime_error("first attempt fails");
  }
  void fail_always() { throw std::invalid_argument("never works"); }
  int attempts() const { return attempts_; }

 private:
  int attempts_ = 0;
};

class meta_reader {
 public:
  message_meta seen(const message_meta& meta) const { return meta; }
};

template <class Ref, class Fn>
concept can_tell = requires(const Ref& r, Fn fn) {
  r.tell(fn);
};

// Remembers who last called note(), from the call's meta.
class sender_recorder {
 public:
  void note(const message_meta& meta) { last_ = meta.sender; }
  address last() const { return last_; }

 private:
  address last_;
};

// Calls a sender_recorder through a reference it made itself.
class relay {
 public:
  explicit relay(thespis::context& ctx) : ctx_(ctx) {}
  void call(const address& recorder) {
    ctx_.ref<sender_recorder>(recorder).tell(&sender_recorder::note);
  }

 private:
  thespis::context& ctx_;
};

// Keeps every argument it is called with, and fails the first call after taking its argument.
class keeper {
 public:
  void keep(std::string s) {
    taken_.push_back(std::move(s));
    if (taken_.size() == 1) throw std::runtime_error("first attempt fails");
  }
  std::vector<std::string> taken() const { return taken_; }

 private:
  std::vector<std::string> taken_;
};

// Records its end: dispose(), then its destructor.
struct ending_log {
  std::mutex mutex;
  std::vector<std::string> steps;
  void add(std::string step) {
    std::lock_guard lock(mutex);
    steps.push_back(std::move(step));
  }
};
class tidy {
 public:
  explicit tidy(std::shared_ptr<ending_log> log) : log_(std::move(log)) {}
  tidy(const tidy&) = delete;
  tidy& operator=(const tidy&) = delete;
  ~tidy() { log_->add("destructor"); }
  void poke() {}
  void dispose() { log_->add("dispose"); }

 private:
  std::shared_ptr<ending_log> log_;
};

// Its clean-up fails.
class leaky_resource {
 public:
  void poke() {}
  void dispose() { throw std::runtime_error("flush failed"); }
};

// An actor subclass with a public method: it takes messages through its handlers only.
class handling_actor : public thespis::actor {
 public:
  void reset() {}
};
// Drops whatever it gets without a word, method calls included: nothing ever answers an ask.
class silent_actor : public thespis::actor {
 protected:
  void unhandled(thespis::message&, const address&) override {}
};
template <class Ref, class Fn>
concept can_ask_or_request = requires(const Ref& r, Fn fn) {
  r.ask(fn, std::chrono::seconds(1));
  r.request(fn, std::chrono::seconds(1));
};
}  // namespace

// Checked at compile time against the recipient type.
static_assert(can_tell<thespis::actor_ref<counter>, decltype(&counter::reset)>);
static_assert(!can_tell<thespis::actor_ref<counter>, decltype(&other::poke)>);
static_assert(!can_tell<thespis::actor_ref<counter>, decltype(&counter::add)>);  // needs an int
// Only a plain object takes method calls: an actor subclass would drop one as unhandled.
static_assert(can_ask_or_request<thespis::actor_ref<counter>, decltype(&counter::reset)>);
static_assert(!can_tell<thespis::actor_ref<handling_actor>, decltype(&handling_actor::reset)>);
static_assert(
    !can_ask_or_request<thespis::actor_ref<handling_actor>, decltype(&handling_actor::reset)>);

TEMPLATE_TEST_CASE("a plain class becomes an actor whose methods run as messages, in order",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  thespis::actor_ref<counter> c = sys.template create_actor<counter>();
  for (int i = 1; i <= 100; ++i)
    c.tell(&counter::add, i);
  CHECK(c.ask(&counter::total, answer_within) == 5050);
  c.tell(&counter::reset);
  CHECK(c.ask(&counter::total, answer_within) == 0);
}

TEMPLATE_TEST_CASE("a plain class gets the context or address its constructor asks for",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto g = sys.template create_actor<greeter>(std::string("hello"));
  CHECK(g.ask(&greeter::greet, answer_within, std::string("alice")) == "hello, alice");
  CHECK(g.ask(&greeter::me, answer_within) == g.address());
  auto s = sys.template create_actor<self_aware>();
  CHECK(s.ask(&self_aware::me, answer_within) == s.address());
}

TEMPLATE_TEST_CASE("listed member functions handle plain messages, with meta when they ask",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto l = sys.template create_actor<listener>();
  sys.tell(l.address(), ping{1});
  l.tell(text{"hi"});
  sys.tell(l.address(), ping{2});
  CHECK(l.ask(&listener::log, answer_within) ==
        std::vector<std::string>{"1", "hi from someone", "2"});
}

TEMPLATE_TEST_CASE("a method taking message_meta sees its sender and itself, filled by the runtime",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto r = sys.template create_actor<meta_reader>();
  const message_meta meta = r.ask(&meta_reader::seen, answer_within);
  CHECK(meta.recipient == r.address());
  CHECK(meta.sender);  // the asker's reply address
  CHECK(meta.sender != r.address());
}

TEMPLATE_TEST_CASE("an exception in an asked method reaches the caller, without retry or poison",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto f = sys.template create_actor<failing>();
  CHECK_THROWS_WITH(f.ask(&failing::fail, answer_within), "no total today");
  // Not retried, and no poison: one that went to the ask's reply address, after the error had
  // answered it, would be a dead letter by the time the actor answers the next call.
  CHECK(f.ask(&failing::attempts, answer_within) == 1);  // the actor goes on
  CHECK(sys.dead_letter_count() == 0);
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(0)));
}

TEMPLATE_TEST_CASE("a told method that throws is retried once, then returned as poison",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto f = sys.template create_actor<failing>();
  f.tell(&failing::fail_once);  // fails, then succeeds on the retry: no poison
  CHECK(f.ask(&failing::attempts, answer_within) == 2);
  f.tell(&failing::fail_always);
  auto poison = sys.listen(answer_within);
  REQUIRE(poison);
  REQUIRE(poison->template is<thespis::poison_message>());
  CHECK(poison->template get<thespis::poison_message>().what == "never works");
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(50)));  // exactly one
}

// The ask waits up to an hour: had it waited out its timeout, CTest's timeout would fail it.
TEMPLATE_TEST_CASE("an ask of a gone actor fails at once with an error that names the target",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  sys.tell(c.address(), actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  try {
    (void)c.ask(&counter::total, std::chrono::hours(1));
    FAIL("the ask returned");
  } catch (const thespis::invalid_actor_address& e) {
    CHECK_THAT(e.what(),
               Catch::Contains(c.address().to_string()) && Catch::Contains("became a dead letter"));
  }
  CHECK(sys.dead_letter_count() == 1);  // the call itself
}

// It said invalid_actor_address, "no live actor took it": the caller went looking for a dead actor.
TEMPLATE_TEST_CASE("an ask after the system shut down throws system_shut_down at once",
                   "[plain-object][shutdown]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  REQUIRE(sys.shutdown().clean());
  try {
    (void)c.ask(&counter::total, std::chrono::hours(1));
    FAIL("the ask returned");
  } catch (const thespis::system_shut_down& e) {
    CHECK_THAT(e.what(), Catch::Contains("counter") && Catch::Contains("shut down"));
  }
}

TEMPLATE_TEST_CASE("an ask that gets no reply throws a timeout naming the class, target and wait",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  // An actor that drops the call without a word: no reply comes.
  auto wrong = sys.template ref<counter>(sys.template create_actor<silent_actor>());
  try {
    (void)wrong.ask(&counter::total, std::chrono::milliseconds(100));
    FAIL("the ask returned");
  } catch (const thespis::actor_system_request_timeout& e) {
    CHECK_THAT(e.what(), Catch::Contains("counter") &&
                             Catch::Contains(wrong.address().to_string()) &&
                             Catch::Contains("no reply within 100 ms"));
  }
}

// A reference made from the address of an actor of another class compiles; the call it carries
// can never be answered. The ask waits up to an hour: had it waited out its timeout, CTest's
// timeout would fail it.
TEMPLATE_TEST_CASE("an ask through a reference of another class fails at once, naming both",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto o = sys.template create_actor<other>();
  auto wrong = sys.template ref<counter>(o.address());
  try {
    (void)wrong.ask(&counter::total, std::chrono::hours(1));
    FAIL("the ask returned");
  } catch (const thespis::invalid_actor_address& e) {
    CHECK_THAT(e.what(), Catch::Contains(o.address().to_string()) &&
                             Catch::Contains("method call of") && Catch::Contains("counter"));
  }
  // So does one to an actor subclass; the call still counts as unhandled, and nothing is dead.
  auto not_plain = sys.template ref<counter>(sys.template create_actor<handling_actor>());
  CHECK_THROWS_AS(not_plain.ask(&counter::total, std::chrono::hours(1)),
                  thespis::invalid_actor_address);
  CHECK(sys.status().unhandled_count == 2);
  CHECK(sys.dead_letter_count() == 0);
  CHECK_NOTHROW(o.ask(&other::poke, answer_within));  // the actor goes on
}

TEMPLATE_TEST_CASE("a dispose() that throws is logged as an error, and the actor still ends",
                   "[plain-object]", THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  auto r = sys.template create_actor<leaky_resource>();
  r.ask(&leaky_resource::poke, answer_within);
  sys.tell(r.address(), actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(sys.shutdown().clean());
  const auto records = logged.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].level == thespis::log_level::error);
  CHECK(records[0].text == "dispose() threw: flush failed");
}

TEMPLATE_TEST_CASE("a reference an actor made sends as that actor", "[plain-object]",
                   THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto recorder = sys.template create_actor<sender_recorder>();
  auto r = sys.template create_actor<relay>();
  r.ask(&relay::call, answer_within, recorder.address());
  // The note comes from the relay and the asks from outside: no order between them.
  REQUIRE(eventually([&] { return recorder.ask(&sender_recorder::last, answer_within); }));
  CHECK(recorder.ask(&sender_recorder::last, answer_within) == r.address());
}

TEMPLATE_TEST_CASE("a told method retried after an exception gets its arguments again, intact",
                   "[plain-object]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto k = sys.template create_actor<keeper>();
  const std::string long_text(64, 'x');  // longer than any small-string buffer: a move empties it
  k.tell(&keeper::keep, long_text);
  CHECK(k.ask(&keeper::taken, answer_within) == std::vector<std::string>{long_text, long_text});
}

TEMPLATE_TEST_CASE("a plain object's dispose() runs when it exits, before its destructor",
                   "[plain-object]", THESPIS_BASES) {
  auto log = std::make_shared<ending_log>();
  thespis::actor_system sys{config_for<TestType>()};
  auto t = sys.template create_actor<tidy>(log);
  t.ask(&tidy::poke, answer_within);
  {
    std::lock_guard lock(log->mutex);
    CHECK(log->steps.empty());
  }
  sys.tell(t.address(), actor_exit_request{});
  REQUIRE(eventually([&] {
    std::lock_guard lock(log->mutex);
    return log->steps.size() == 2;
  }));
  std::lock_guard lock(log->mutex);
  CHECK(log->steps == std::vector<std::string>{"dispose", "destructor"});
}

TEMPLATE_TEST_CASE("an ask by an id no actor has and no director creates fails at once, naming it",
                   "[plain-object][by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  try {
    (void)sys.template by_id<counter>("nobody").ask(&counter::total, std::chrono::hours(1));
    FAIL("the ask returned");
  } catch (const thespis::invalid_actor_address& e) {
    CHECK_THAT(e.what(), Catch::Contains("id \"nobody\"") && Catch::Contains("dead letter"));
  }
  CHECK(sys.dead_letter_count() == 1);
}

namespace {
struct make_own_request {
  address silent;
};
struct ask_total_via {
  address via;
};

// Passes on what it has no handler for to `backend`: with send() (it becomes the sender) or
// with forward() (the original sender stays). Has a request of its own, never answered.
class proxy : public thespis::actor {
 public:
  proxy(address backend, bool keep_sender)
      : backend_(std::move(backend)), keep_sender_(keep_sender) {
    handle([this](const make_own_request& r, const address& from) {
      request<int>(r.silent, 0, std::chrono::hours(1))
          .then([this, from](int v) { send(from, "own request answered " + std::to_string(v)); },
                [this, from](const std::exception_ptr&) { send(from, std::string("failed")); });
    });
  }

 protected:
  void unhandled(thespis::message& msg, const address& sender) override {
    if (keep_sender_) {
      forward(backend_, std::move(msg), sender);
    } else {
      send(backend_, std::move(msg));
    }
  }

 private:
  address backend_;
  bool keep_sender_;
};

// Requests counter::total through `via` and tells the result (-1 for an error).
class total_asker : public thespis::actor {
 public:
  total_asker() {
    handle([this](const ask_total_via& a, const address& from) {
      ref<counter>(a.via)
          .request(&counter::total, std::chrono::hours(1))
          .then([this, from](int total) { send(from, total); },
                [this, from](const std::exception_ptr&) { send(from, -1); });
    });
  }
};
}  // namespace

// Replies are matched by request number. Numbered per actor, the proxy's own first request and
// the asker's both had number 1: the counter's answer to the asker reached the proxy and
// answered the proxy's request — with 42, from an actor it never asked.
TEMPLATE_TEST_CASE(
    "a method call forwarded with send is answered to the forwarder, as a dead letter, never as "
    "the answer to a request of its own",
    "[plain-object][request][dead-letter]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  c.tell(&counter::add, 42);
  const address p = sys.template create_actor<proxy>(c.address(), false);
  sys.tell(p, make_own_request{sys.template create_actor<silent_actor>()});
  sys.tell(sys.template create_actor<total_asker>(), ask_total_via{p});
  REQUIRE(eventually([&] { return sys.dead_letter_count() == 1; }));  // the counter's answer
  CHECK_FALSE(sys.listen(std::chrono::milliseconds(50)));  // both requests are still waiting
}

TEMPLATE_TEST_CASE("a proxy that forwards with the original sender passes method calls through",
                   "[plain-object][request]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto c = sys.template create_actor<counter>();
  c.tell(&counter::add, 42);
  const address p = sys.template create_actor<proxy>(c.address(), true);
  CHECK(sys.template ref<counter>(p).ask(&counter::total, answer_within) == 42);  // outside
  sys.tell(sys.template create_actor<total_asker>(), ask_total_via{p});           // an actor
  auto total = sys.listen(answer_within);
  REQUIRE(total);
  CHECK(total->template take<int>() == 42);
  CHECK(sys.dead_letter_count() == 0);
}
