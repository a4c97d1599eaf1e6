#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>

#include "bases/common/id_map.hpp"

using thespis::detail::id_map;

// Checked against std::map through a long random run of inserts and erases, so that growth,
// collisions, wrap-around at the end of the array and the backward shift of erase are all hit.
TEST_CASE("an id map finds, erases and lists exactly what was inserted") {
  id_map<std::uint64_t> map;
  std::map<std::uint64_t, std::uint64_t> expected;
  std::mt19937_64 random(42);
  std::uint64_t next_key = 1;
  for (int step = 0; step < 200'000; ++step) {
    const bool add = expected.size() < 50 || random() % 100 < 52;  // grows, with churn
    if (add) {
      // Mostly consecutive keys, as handles are, with jumps now and then.
      next_key += random() % 10 == 0 ? random() % 1'000 + 1 : 1;
      map.insert(next_key, next_key * 3);
      expected.emplace(next_key, next_key * 3);
    } else {
      auto it = expected.begin();
      std::advance(it, static_cast<long>(random() % expected.size()));
      REQUIRE(map.erase(it->first));
      expected.erase(it);
    }
    if (step % 997 == 0) {
      REQUIRE(map.size() == expected.size());
      for (const auto& [key, value] : expected) {
        const std::uint64_t* found = map.find(key);
        REQUIRE(found != nullptr);
        REQUIRE(*found == value);
      }
      std::size_t listed = 0;
      bool all_expected = true;
      map.for_each([&](std::uint64_t key, std::uint64_t value) {
        ++listed;
        auto it = expected.find(key);
        all_expected = all_expected && it != expected.end() && it->second == value;
      });
      REQUIRE(listed == expected.size());
      REQUIRE(all_expected);
    }
  }
  CHECK(map.find(next_key + 1) == nullptr);
  CHECK_FALSE(map.erase(next_key + 1));
  for (const auto& [key, value] : expected)
    CHECK(map.erase(key));
  CHECK(map.size() == 0);
  CHECK(map.find(1) == nullptr);
}
