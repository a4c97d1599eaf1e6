#include <catch2/catch.hpp>

#include <string>
#include <type_traits>
#include <vector>

#include "core/detail/make_envelope.hpp"
#include "core/serialization.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

namespace {
struct order {
  std::string item;
  std::vector<int> quantities;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(item, quantities);
  }
};
struct not_registered {
  int x = 0;
};
struct count {
  int n = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(n);
  }
};
struct price {
  double amount = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(amount);
  }
};

const bool order_registered = thespis::register_message_type<order>("test.order");
const bool count_registered = thespis::register_message_type<count>("test.count");

thespis::message make(auto value) {
  return thespis::message(thespis::detail::make_envelope(thespis::address{}, std::move(value)));
}
}  // namespace

TEST_CASE("a registered message type survives a round trip through its wire form",
          "[serialization]") {
  REQUIRE(order_registered);
  auto wire = thespis::serialize(make(order{"tea", {1, 2, 3}}));
  REQUIRE(wire);
  CHECK(wire->type_name == "test.order");
  thespis::message back = thespis::deserialize(*wire);
  REQUIRE(back.is<order>());
  CHECK(back.get<order>().item == "tea");
  CHECK(back.get<order>().quantities == std::vector<int>{1, 2, 3});
}

TEST_CASE("an unregistered message type has no wire form", "[serialization]") {
  CHECK_FALSE(thespis::serialize(make(not_registered{})));
}

TEST_CASE("wire data naming an unknown type is rejected with a clear error", "[serialization]") {
  CHECK_THROWS_WITH(thespis::deserialize({"no.such.message", ""}),
                    Catch::Contains("no.such.message"));
  CHECK_THROWS_AS(thespis::deserialize({"no.such.message", ""}), thespis::unknown_message_type);
}

TEST_CASE("truncated wire data is rejected as malformed", "[serialization]") {
  auto wire = thespis::serialize(make(order{"coffee", {4, 5}}));
  REQUIRE(wire);
  wire->bytes.resize(wire->bytes.size() / 2);
  CHECK_THROWS_AS(thespis::deserialize(*wire), thespis::malformed_message);
}

static_assert(std::is_base_of_v<thespis::actor_system_exception, thespis::duplicate_message_type>);

TEST_CASE("registering a name another type holds throws and leaves the first type's codec",
          "[serialization]") {
  REQUIRE(count_registered);
  CHECK_THROWS_AS(thespis::register_message_type<price>("test.count"),
                  thespis::duplicate_message_type);
  CHECK_THROWS_WITH(thespis::register_message_type<price>("test.count"),
                    Catch::Contains("test.count"));
  auto wire = thespis::serialize(make(count{7}));
  REQUIRE(wire);
  CHECK(wire->type_name == "test.count");
  thespis::message back = thespis::deserialize(*wire);
  REQUIRE(back.is<count>());
  CHECK(back.get<count>().n == 7);
  CHECK_FALSE(thespis::serialize(make(price{1.5})));
}

TEST_CASE("registering a type again under its own name is harmless", "[serialization]") {
  REQUIRE(count_registered);
  CHECK(thespis::register_message_type<count>("test.count"));
  auto wire = thespis::serialize(make(count{3}));
  REQUIRE(wire);
  CHECK(thespis::deserialize(*wire).get<count>().n == 3);
}

TEST_CASE("registering a type under a second name throws: a type has one wire name",
          "[serialization]") {
  REQUIRE(count_registered);
  CHECK_THROWS_AS(thespis::register_message_type<count>("test.count.v2"),
                  thespis::duplicate_message_type);
  CHECK_THROWS_AS(thespis::deserialize({"test.count.v2", ""}), thespis::unknown_message_type);
  auto wire = thespis::serialize(make(count{5}));
  REQUIRE(wire);
  CHECK(wire->type_name == "test.count");
}
