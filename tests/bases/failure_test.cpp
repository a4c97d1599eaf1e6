// Behaviour every base must show when a handler throws.
#include <catch2/catch.hpp>

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
