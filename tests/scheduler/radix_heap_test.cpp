#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "scheduler/radix_heap.hpp"

using thespis::detail::radix_heap;

namespace {

std::vector<int> take_until(radix_heap<int>& heap, std::uint64_t horizon) {
  std::vector<int> taken;
  heap.pop_until(horizon, [&](int value) { taken.push_back(value); });
  return taken;
}

// Takes up to `horizon` from the heap and from its model (a multimap, which keeps equal keys in
// insertion order); returns true if both gave the same values in the same order, and the same
// number are left.
bool takes_as_model(radix_heap<int>& heap, std::multimap<std::uint64_t, int>& model,
                    std::uint64_t horizon) {
  std::vector<int> expected;
  while (!model.empty() && model.begin()->first <= horizon) {
    expected.push_back(model.begin()->second);
    model.erase(model.begin());
  }
  return take_until(heap, horizon) == expected && heap.size() == model.size();
}

}  // namespace

TEST_CASE("a radix heap takes keys in order, equal keys in the order pushed") {
  for (const int count : {5, 500}) {  // the small vector, and the buckets
    radix_heap<int> heap;
    std::multimap<std::uint64_t, int> expected;  // keeps equal keys in insertion order
    std::mt19937_64 random(count);
    for (int i = 0; i < count; ++i) {
      const std::uint64_t key = 1'000 + random() % 50;  // many equal keys
      heap.push(key, i);
      expected.emplace(key, i);
    }
    CHECK(heap.size() == static_cast<std::size_t>(count));
    CHECK(heap.min_key() == expected.begin()->first);
    CHECK(take_until(heap, 999).empty());
    std::vector<int> in_order;
    for (const auto& [key, value] : expected)
      in_order.push_back(value);
    CHECK(take_until(heap, 2'000) == in_order);
    CHECK(heap.empty());
    CHECK_FALSE(heap.min_key());
  }
}

TEST_CASE("a key pushed after the buckets were made, below all of theirs, comes out first") {
  radix_heap<int> heap;
  for (int i = 0; i < 40; ++i)  // more than the small vector holds
    heap.push(1'000'000 + static_cast<std::uint64_t>(i), i);
  heap.push(5, -1);  // a wakeup armed for sooner than every pending one
  CHECK(heap.min_key() == 5u);
  CHECK(take_until(heap, 5) == std::vector<int>{-1});
  CHECK(heap.min_key() == 1'000'000u);
}

// Checked against a std::multimap through a long random run: pushes at or after the last
// horizon (as deadlines are), takes up to a growing horizon, removals, and clears that send it
// back to the small vector and through growing again.
TEST_CASE("a radix heap takes exactly what was pushed and not removed, in order") {
  radix_heap<int> heap;
  std::multimap<std::uint64_t, int> model;
  std::mt19937_64 random(11);
  std::uint64_t now = 0;
  int next = 0;
  bool exact = true;
  for (int step = 0; step < 200'000; ++step) {
    const auto roll = random() % 1'000;
    if (roll < 600) {
      // Near deadlines and far ones, so entries sit in low and high buckets alike.
      const std::uint64_t ahead = random() % 2 ? random() % 1'000 : random() % (1ull << 40);
      heap.push(now + ahead, next);
      model.emplace(now + ahead, next);
      ++next;
    } else if (roll < 990) {
      now += random() % 3'000;
      exact = exact && takes_as_model(heap, model, now);
      exact = exact && heap.min_key() ==
                           (model.empty() ? std::optional<std::uint64_t>{} : model.begin()->first);
    } else if (roll < 998) {
      const int parity = static_cast<int>(random() % 2);
      heap.erase_if([parity](int value) { return value % 2 == parity; });
      std::erase_if(model, [parity](const auto& kv) { return kv.second % 2 == parity; });
      exact = exact && heap.size() == model.size();
    } else {
      heap.clear();
      model.clear();
    }
  }
  CHECK(exact);
  CHECK(next > 100'000);
}

// Buckets go by hex digit: keys spread over all 64 bits (up to the largest key) land in every
// digit's buckets, and come out in order as the horizon sweeps up through them.
TEST_CASE("keys differing from the last one taken in any of their 64 bits come out in order") {
  radix_heap<int> heap;
  std::multimap<std::uint64_t, int> model;
  std::mt19937_64 random(64);
  const auto push = [&](std::uint64_t key, int value) {
    heap.push(key, value);
    model.emplace(key, value);
  };
  for (int i = 0; i < 2'000; ++i) {
    const unsigned width = static_cast<unsigned>(random() % 65);  // 0..64 significant bits
    push(width == 0 ? 0 : random() >> (64 - width), i);
  }
  push(~std::uint64_t{0}, -1);
  push(~std::uint64_t{0}, -2);  // equal keys at the very top keep their order
  bool exact = true;
  std::uint64_t horizon = 0;
  int next = 2'000;
  while (!model.empty()) {
    horizon = horizon + (~std::uint64_t{0} - horizon) / (1 + random() % 8);
    if (random() % 4 == 0) horizon = ~std::uint64_t{0};
    exact = exact && takes_as_model(heap, model, horizon);
    if (horizon < ~std::uint64_t{0} - 1'000) push(horizon + 1 + random() % 1'000, next++);
  }
  CHECK(exact);
  CHECK(heap.empty());
}
