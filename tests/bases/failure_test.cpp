// Behaviour every base must show when a handler throws.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "support/bases.hpp"

using thespis::address;
using thespis::poison_message;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct fail_times {
  int times;
};
struct attempts_request {};

// Throws for the first `times` deliveries of a fail_times message, counting every attempt.
class flaky : public thespis::actor {
 public:
  flaky() {
    handle([this](const fail_times& f, const address& from) {
      if (++attempts_ <= f.times)
        throw std::invalid_argument("attempt " + std::to_string(attempts_));
      send(from, std::string("ok"));
    });
    handle([this](const attempts_request&, const address& from) { send(from, attempts_); });
  }

 private:
  int attempts_ = 0;
};
}  // namespace

TEMPLATE_TEST_CASE("a message that fails once is retried on the same instance and succeeds",
                   "[failure]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<flaky>();
  auto reply = sys.ask(a, fail_times{1}, answer_within);
  REQUIRE(reply);
  CHECK(reply->template is<std::string>());  // no poison_message
  CHECK(sys.template ask<int>(a, attempts_request{}, answer_within) == 2);
  // Nor one sent after the answer: it would have gone to the ask's reply address, by then gone.
  CHECK(sys.dead_letter_count() == 0);
}

TEMPLATE_TEST_CASE("a message that fails twice comes back to its sender as a poison message",
                   "[failure]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.create_actor<flaky>();
  auto reply = sys.ask(a, fail_times{2}, answer_within);
  REQUIRE(reply);
  REQUIRE(reply->template is<poison_message>());
  auto& poison = reply->template get<poison_message>();
  CHECK(poison.original.template is<fail_times>());
  CHECK(poison.error_type == "std::invalid_argument");
  CHECK(poison.what == "attempt 2");
  // The actor goes on with its next message, state kept.
  CHECK(sys.template ask<int>(a, attempts_request{}, answer_within) == 2);
}

namespace {
class throws_on_exit : public thespis::actor {
 public:
  explicit throws_on_exit(std::shared_ptr<int> destroyed) : destroyed_(std::move(destroyed)) {
    handle([](const thespis::actor_exit_request&) { throw std::runtime_error("not leaving"); });
  }
  ~throws_on_exit() override { ++*destroyed_; }

 private:
  std::shared_ptr<int> destroyed_;
};
}  // namespace

TEMPLATE_TEST_CASE("an exception while handling an exit request does not stop the exit",
                   "[failure]", THESPIS_BASES) {
  auto destroyed = std::make_shared<int>(0);
  thespis::actor_system sys{config_for<TestType>()};
  address a = sys.template create_actor<throws_on_exit>(destroyed);
  sys.tell(a, thespis::actor_exit_request{});
  CHECK(thespis::test::eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(*destroyed == 1);
}
