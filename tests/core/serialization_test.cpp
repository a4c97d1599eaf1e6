#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/detail/make_envelope.hpp"
#include "core/serialization.hpp"

#include <cereal/types/chrono.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
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

// Saved through save_minimal/load_minimal, which cereal pairs by archive type.
struct celsius {
  int degrees = 0;
  template <class Archive>
  int save_minimal(const Archive&) const {
    return degrees;
  }
  template <class Archive>
  void load_minimal(const Archive&, const int& value) {
    degrees = value;
  }
  bool operator==(const celsius&) const = default;
};
enum class colour : std::uint8_t { red, green };

// Fields of many of cereal's standard types, and a class version.
struct survey {
  std::map<std::string, std::vector<std::string>> answers;
  std::optional<double> score;
  std::variant<std::monostate, int, std::string> tag;
  std::vector<bool> flags;
  std::unique_ptr<int> extra;
  std::chrono::milliseconds elapsed{};
  colour favourite = colour::red;
  celsius temperature;
  template <class Archive>
  void serialize(Archive& archive, std::uint32_t /*version*/) {
    archive(answers, score, tag, flags, extra, elapsed, favourite, temperature);
  }
};

// The largest single allocation a capped_allocator was asked for since the last
// reset.
std::size_t largest_request = 0;

// Records each request and refuses any over 1 MiB, so a test sees what a
// decoder asked for without the memory being taken.
template <class T>
struct capped_allocator {
  using value_type = T;
  static constexpr std::size_t cap_bytes = std::size_t{1} << 20;

  capped_allocator() = default;
  template <class U>
  capped_allocator(const capped_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / sizeof(T);
    largest_request = std::max(largest_request, n > most ? most * sizeof(T) : n * sizeof(T));
    if (n > cap_bytes / sizeof(T)) throw std::bad_alloc();
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
  friend bool operator==(const capped_allocator&, const capped_allocator&) = default;
};

// A message whose containers report every allocation to largest_request.
struct note {
  std::basic_string<char, std::char_traits<char>, capped_allocator<char>> text;
  std::vector<std::int32_t, capped_allocator<std::int32_t>> numbers;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(text, numbers);
  }
};

const bool order_registered = thespis::register_message_type<order>("test.order");
const bool count_registered = thespis::register_message_type<count>("test.count");
const bool note_registered = thespis::register_message_type<note>("test.note");

const bool survey_registered = thespis::register_message_type<survey>("test.survey");

// Its wire form: the byte-order flag, a byte for `on`, and the optional's flag (1: empty).
struct switch_state {
  bool on = false;
  std::optional<int> level;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(on, level);
  }
};
const bool switch_state_registered =
    thespis::register_message_type<switch_state>("test.switch_state");

thespis::message make(auto value) {
  return thespis::message(thespis::detail::make_envelope(thespis::address{}, std::move(value)));
}

// Returns value as the 8 little-endian bytes of a portable-binary size or
// uint64.
std::string le64(std::uint64_t value) {
  std::string bytes;
  for (int i = 0; i < 8; ++i)
    bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return bytes;
}

const std::string little_endian_flag(1, '\x01');
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

TEST_CASE("cereal's standard types and class versions survive a round trip", "[serialization]") {
  REQUIRE(survey_registered);
  survey s;
  s.answers = {{"a", {"x", "yz"}}, {"b", {}}};
  s.score = 0.5;
  s.tag = std::string("t");
  s.flags = {true, false, true};
  s.extra = std::make_unique<int>(9);
  s.elapsed = std::chrono::milliseconds(1234);
  s.favourite = colour::green;
  s.temperature = celsius{-4};
  auto wire = thespis::serialize(make(std::move(s)));
  REQUIRE(wire);
  thespis::message back = thespis::deserialize(*wire);
  REQUIRE(back.is<survey>());
  const auto& b = back.get<survey>();
  CHECK(b.answers ==
        std::map<std::string, std::vector<std::string>>{{"a", {"x", "yz"}}, {"b", {}}});
  CHECK(b.score == 0.5);
  CHECK(b.tag == std::variant<std::monostate, int, std::string>(std::string("t")));
  CHECK(b.flags == std::vector<bool>{true, false, true});
  REQUIRE(b.extra);
  CHECK(*b.extra == 9);
  CHECK(b.elapsed == std::chrono::milliseconds(1234));
  CHECK(b.favourite == colour::green);
  CHECK(b.temperature == celsius{-4});
}

TEST_CASE("wire data written big-endian decodes to the same values", "[serialization]") {
  REQUIRE(order_registered);
  // Endianness flag 0 (big), item "ab", quantities {1, -2}.
  std::string bytes("\x00", 1);
  bytes += std::string("\x00\x00\x00\x00\x00\x00\x00\x02", 8) + "ab";
  bytes += std::string("\x00\x00\x00\x00\x00\x00\x00\x02", 8);
  bytes += std::string("\x00\x00\x00\x01\xff\xff\xff\xfe", 8);
  thespis::message back = thespis::deserialize({"test.order", bytes});
  REQUIRE(back.is<order>());
  CHECK(back.get<order>().item == "ab");
  CHECK(back.get<order>().quantities == std::vector<int>{1, -2});
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

TEST_CASE("empty wire data is rejected as malformed", "[serialization]") {
  REQUIRE(order_registered);
  CHECK_THROWS_AS(thespis::deserialize({"test.order", ""}), thespis::malformed_message);
}

TEST_CASE(
    "a string length beyond the wire data is malformed, not a length or "
    "allocation error",
    "[serialization]") {
  REQUIRE(order_registered);
  for (std::uint64_t length : {~std::uint64_t{0}, std::uint64_t{1} << 62, std::uint64_t{1} << 45,
                               std::uint64_t{1} << 30}) {
    CAPTURE(length);
    thespis::serialized_message wire{"test.order", little_endian_flag + le64(length)};
    CHECK_THROWS_AS(thespis::deserialize(wire), thespis::malformed_message);
    CHECK_THROWS_WITH(thespis::deserialize(wire), Catch::Contains("test.order"));
  }
}

TEST_CASE("decoding never asks for much more memory than the wire data holds", "[serialization]") {
  REQUIRE(note_registered);
  SECTION("a string that declares 2^30 characters in a 9-byte message") {
    largest_request = 0;
    thespis::serialized_message wire{"test.note",
                                     little_endian_flag + le64(std::uint64_t{1} << 30)};
    CHECK_THROWS_AS(thespis::deserialize(wire), thespis::malformed_message);
    CHECK(largest_request <= 8 * wire.bytes.size());
  }
  SECTION("a vector that declares 2^30 integers in a 17-byte message") {
    largest_request = 0;
    thespis::serialized_message wire{"test.note",
                                     little_endian_flag + le64(0) + le64(std::uint64_t{1} << 30)};
    CHECK_THROWS_AS(thespis::deserialize(wire), thespis::malformed_message);
    CHECK(largest_request <= 8 * wire.bytes.size());
  }
  SECTION("a string one byte longer than what follows it") {
    largest_request = 0;
    thespis::serialized_message wire{"test.note",
                                     little_endian_flag + le64(1000) + std::string(999, 'x')};
    CHECK_THROWS_AS(thespis::deserialize(wire), thespis::malformed_message);
    CHECK(largest_request <= 8 * wire.bytes.size());
  }
}

TEST_CASE("a bool byte other than 0 or 1 is malformed, in a field or an optional's flag",
          "[serialization]") {
  REQUIRE(switch_state_registered);
  auto wire = thespis::serialize(make(switch_state{true, std::nullopt}));
  REQUIRE(wire);
  REQUIRE(wire->bytes == std::string("\x01\x01\x01", 3));
  thespis::message back = thespis::deserialize(*wire);
  CHECK(back.get<switch_state>().on);
  CHECK_FALSE(back.get<switch_state>().level);
  for (const std::size_t at : {std::size_t{1}, std::size_t{2}}) {  // the field, the flag
    for (const char byte : {'\x02', '\x07', '\xff'}) {
      CAPTURE(at, static_cast<int>(static_cast<unsigned char>(byte)));
      thespis::serialized_message bad = *wire;
      bad.bytes[at] = byte;
      CHECK_THROWS_AS(thespis::deserialize(bad), thespis::malformed_message);
      CHECK_THROWS_WITH(thespis::deserialize(bad), Catch::Contains("test.switch_state"));
    }
  }
}

TEST_CASE("a message with bytes left over after it is rejected as malformed", "[serialization]") {
  auto wire = thespis::serialize(make(order{"tea", {1}}));
  REQUIRE(wire);
  wire->bytes += "xyz";
  CHECK_THROWS_AS(thespis::deserialize(*wire), thespis::malformed_message);
  CHECK_THROWS_WITH(thespis::deserialize(*wire), Catch::Contains("3 bytes left over"));
}

static_assert(std::is_base_of_v<thespis::actor_system_exception, thespis::duplicate_message_type>);

TEST_CASE(
    "registering a name another type holds throws and leaves the first "
    "type's codec",
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
