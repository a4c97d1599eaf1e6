#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "scheduler/slot_map.hpp"

using thespis::detail::slot_map;

// Checked against std::map through a long random run of inserts and erases, so that slots are
// freed and taken again many times over.
TEST_CASE("a slot map finds, erases and lists exactly what was inserted") {
  slot_map<std::uint64_t> map;
  std::map<std::uint64_t, std::uint64_t> expected;  // key -> value
  std::set<std::uint64_t> issued;
  std::vector<std::uint64_t> erased;  // keys no longer held, to look up again
  std::mt19937_64 random(42);
  bool unique = true;
  for (int step = 0; step < 200'000; ++step) {
    const bool add = expected.size() < 50 || random() % 100 < 52;  // grows, with churn
    if (add) {
      const std::uint64_t value = random();
      const std::uint64_t key = map.insert(value);
      unique = unique && key != 0 && issued.insert(key).second;
      expected.emplace(key, value);
    } else {
      auto it = expected.begin();
      std::advance(it, static_cast<long>(random() % expected.size()));
      REQUIRE(map.erase(it->first));
      erased.push_back(it->first);
      expected.erase(it);
    }
    if (step % 997 == 0) {
      REQUIRE(unique);
      REQUIRE(map.size() == expected.size());
      for (const auto& [key, value] : expected) {
        const std::uint64_t* found = map.find(key);
        REQUIRE(found != nullptr);
        REQUIRE(*found == value);
      }
      for (std::uint64_t key : erased)
        REQUIRE(map.find(key) == nullptr);  // its slot may hold a later value: not this key's
      erased.clear();
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
  CHECK(map.find(0) == nullptr);
  for (const auto& [key, value] : expected)
    CHECK(map.erase(key));
  CHECK(map.size() == 0);
  for (const auto& [key, value] : expected)
    CHECK_FALSE(map.erase(key));  // erased once only
}

TEST_CASE("a cleared slot map forgets every key and issues new ones") {
  slot_map<int> map;
  std::vector<std::uint64_t> before;
  for (int i = 0; i < 100; ++i)
    before.push_back(map.insert(i));
  map.clear();
  CHECK(map.size() == 0);
  for (std::uint64_t key : before)
    CHECK(map.find(key) == nullptr);
  std::set<std::uint64_t> after;
  for (int i = 0; i < 100; ++i)
    after.insert(map.insert(i));
  CHECK(after.size() == 100);
  for (std::uint64_t key : before)
    CHECK(after.count(key) == 0);  // the same slots, later generations
  for (std::uint64_t key : before)
    CHECK(map.find(key) == nullptr);
}

// Every time the map empties, it takes its slots in index order again: keys must still never
// repeat, and old keys must find nothing, across many such rounds (and rounds that stop short).
TEST_CASE("a slot map emptied again and again never reissues a key and finds what it holds") {
  slot_map<std::uint64_t> map;
  std::set<std::uint64_t> issued;
  std::vector<std::uint64_t> gone;
  std::mt19937_64 random(7);
  bool unique = true;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> held;  // key, value
  for (int round = 0; round < 300; ++round) {
    const auto n = static_cast<int>(1 + random() % 300);
    for (int i = 0; i < n; ++i) {
      const std::uint64_t value = random();
      const std::uint64_t key = map.insert(value);
      unique = unique && key != 0 && issued.insert(key).second;
      held.emplace_back(key, value);
    }
    std::shuffle(held.begin(), held.end(), random);
    // Every third round leaves some held into the next: those rounds take freed slots, no reset.
    const std::size_t keep = round % 3 == 0 ? held.size() / 4 : 0;
    while (held.size() > keep) {
      REQUIRE(map.erase(held.back().first));
      gone.push_back(held.back().first);
      held.pop_back();
    }
    REQUIRE(map.size() == held.size());
    for (const auto& [key, value] : held) {
      REQUIRE(map.find(key) != nullptr);
      REQUIRE(*map.find(key) == value);
    }
    for (std::uint64_t key : gone)
      REQUIRE(map.find(key) == nullptr);
  }
  CHECK(unique);
}
