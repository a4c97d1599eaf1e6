#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "core/thespis.hpp"

using thespis::address;

// User code must not be able to forge an address: only the system makes them.
static_assert(std::is_default_constructible_v<address>);
static_assert(!std::is_constructible_v<address, int>);
static_assert(!std::is_constructible_v<address, std::uint64_t, std::uint64_t>);
static_assert(std::is_nothrow_copy_constructible_v<address>);
static_assert(sizeof(address) == sizeof(void*), "an address is one pointer wide");

namespace {
class idle : public thespis::actor {};
}  // namespace

TEST_CASE("a default address names nobody and prints as @none") {
  address a;
  CHECK_FALSE(a);
  CHECK(a.to_string() == "@none");
  CHECK(a == address{});
}

TEST_CASE("addresses compare, hash and print by identity") {
  thespis::actor_system sys{thespis::system_config{.base = "simple"}};
  address a = sys.create_actor<idle>();
  address b = sys.create_actor<idle>();
  address a_copy = a;
  CHECK(a == a_copy);
  CHECK(a != b);
  CHECK(a.hash() == a_copy.hash());
  CHECK((a < b) != (b < a));
  std::ostringstream out;
  out << a;
  CHECK(out.str() == a.to_string());
  CHECK(a.to_string() != b.to_string());
  CHECK(a.to_string().rfind('@', 0) == 0);
}
