#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/detail/make_envelope.hpp"
#include "core/thespis.hpp"

using thespis::message;

namespace {
message make(auto value) {
  return message(thespis::detail::make_envelope(thespis::address{}, std::move(value)));
}
}  // namespace

TEST_CASE("a message reports its exact type and gives its payload only as that type") {
  message m = make(std::string("hi"));
  CHECK(m.is<std::string>());
  CHECK_FALSE(m.is<int>());
  CHECK(m.try_get<int>() == nullptr);
  CHECK(m.get<std::string>() == "hi");
  CHECK_THROWS_AS(m.get<int>(), thespis::bad_message_cast);
  CHECK(m.type_name().find("string") != std::string::npos);
}

TEST_CASE("a move-only payload can be taken out of a message") {
  message m = make(std::make_unique<int>(7));
  auto p = m.take<std::unique_ptr<int>>();
  REQUIRE(p);
  CHECK(*p == 7);
}

TEST_CASE("moving a message moves ownership, not the payload") {
  message a = make(42);
  const int* where = a.try_get<int>();
  message b = std::move(a);
  CHECK_FALSE(a);
  CHECK(b.try_get<int>() == where);
}

TEST_CASE("reading a message as the wrong type names both types readably, and a poison's error") {
  message number = make(2.5);
  CHECK_THROWS_WITH(number.get<int>(), "message holds double, not int");
  message poison = make(thespis::poison_message{message{}, "std::runtime_error", "boom"});
  CHECK_THROWS_WITH(poison.get<int>(),
                    "message holds thespis::poison_message (std::runtime_error: boom), not int");
}
