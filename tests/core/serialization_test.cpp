#include <catch2/catch.hpp>

#include <string>
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

const bool order_registered = thespis::register_message_type<order>("test.order");

thespis::message make(auto value) {
  return thespis::message(thespis::detail::make_envelope(thespis::address{}, std::move(value)));
}
}  // namespace

TEST_CASE("a registered message type survives a round trip through its wire form") {
  REQUIRE(order_registered);
  auto wire = thespis::serialize(make(order{"tea", {1, 2, 3}}));
  REQUIRE(wire);
  CHECK(wire->type_name == "test.order");
  thespis::message back = thespis::deserialize(*wire);
  REQUIRE(back.is<order>());
  CHECK(back.get<order>().item == "tea");
  CHECK(back.get<order>().quantities == std::vector<int>{1, 2, 3});
}

TEST_CASE("an unregistered message type has no wire form") {
  CHECK_FALSE(thespis::serialize(make(not_registered{})));
}

TEST_CASE("wire data naming an unknown type is rejected with a clear error") {
  CHECK_THROWS_WITH(thespis::deserialize({"no.such.message", ""}),
                    Catch::Contains("no.such.message"));
  CHECK_THROWS_AS(thespis::deserialize({"no.such.message", ""}), thespis::unknown_message_type);
}

TEST_CASE("truncated wire data is rejected as malformed") {
  auto wire = thespis::serialize(make(order{"coffee", {4, 5}}));
  REQUIRE(wire);
  wire->bytes.resize(wire->bytes.size() / 2);
  CHECK_THROWS_AS(thespis::deserialize(*wire), thespis::malformed_message);
}
