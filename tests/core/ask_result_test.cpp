// ask_result: what an outside ask returns — read like the std::optional it replaced, and able to
// say why no reply came.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/ask_result.hpp"

using thespis::ask_failure;
using thespis::ask_result;

TEST_CASE("an ask result with a reply reads like an engaged optional", "[ask]") {
  ask_result<std::string> r{std::string("pong")};
  REQUIRE(r);
  CHECK(r.has_value());
  CHECK(*r == "pong");
  CHECK(r->size() == 4);
  CHECK(r.value() == "pong");
  CHECK(r == std::string("pong"));
  CHECK_FALSE(r == std::nullopt);
  CHECK(r.value_or("none") == "pong");
  CHECK(r.description().empty());
  const std::optional<std::string> as_optional = r;
  CHECK(as_optional == std::optional<std::string>("pong"));
  CHECK(std::move(r).value() == "pong");
}

TEST_CASE("an ask result without a reply says why, and value() throws the matching error",
          "[ask]") {
  const auto failed = [](ask_failure why) { return ask_result<int>{why, "asked: why"}; };
  const auto timed_out = failed(ask_failure::timed_out);
  CHECK_FALSE(timed_out);
  CHECK(timed_out == std::nullopt);
  CHECK_FALSE(timed_out == 0);
  CHECK(timed_out.value_or(-1) == -1);
  CHECK(timed_out.failure() == ask_failure::timed_out);
  CHECK(timed_out.description() == "asked: why");
  CHECK(std::optional<int>(timed_out) == std::nullopt);
  CHECK_THROWS_AS(timed_out.value(), thespis::actor_system_request_timeout);
  CHECK_THROWS_WITH(timed_out.value(), "asked: why");
  CHECK_THROWS_AS(failed(ask_failure::dead_letter).value(), thespis::invalid_actor_address);
  CHECK_THROWS_AS(failed(ask_failure::unhandled).value(), thespis::invalid_actor_address);
  CHECK_THROWS_AS(failed(ask_failure::shut_down).value(), thespis::system_shut_down);
}

TEST_CASE("every ask failure has a name", "[ask]") {
  CHECK(std::string(to_string(ask_failure::timed_out)) == "timed out");
  CHECK(std::string(to_string(ask_failure::dead_letter)) == "dead letter");
  CHECK(std::string(to_string(ask_failure::unhandled)) == "unhandled");
  CHECK(std::string(to_string(ask_failure::shut_down)) == "shut down");
}

TEST_CASE("an ask result compares with optionals and other results as optionals do", "[ask]") {
  const ask_result<int> five{5};
  const ask_result<int> none{ask_failure::timed_out, "t"};
  const ask_result<int> other_none{ask_failure::dead_letter, "d"};
  CHECK(five == std::optional<int>(5));
  CHECK(std::optional<int>(5) == five);
  CHECK_FALSE(five == std::optional<int>());
  CHECK(none == std::optional<int>());
  CHECK(std::optional<int>() == none);
  CHECK(none == other_none);  // empty equals empty, whatever the failure
  CHECK_FALSE(five == none);
  CHECK(five == ask_result<int>{5});
  CHECK(5 == five);
}
