#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "scheduler/runnable_ring.hpp"

using thespis::detail::runnable_ring;

namespace {
// Never run: the ring only carries pointers, so each item is told apart by its address.
class item final : public thespis::runnable {};
}  // namespace

TEST_CASE("a runnable ring is first in, first out, and says when it is full or empty") {
  runnable_ring ring(4);
  item items[5];
  CHECK_FALSE(ring.maybe_nonempty());
  CHECK(ring.try_pop() == nullptr);
  for (int lap = 0; lap < 3; ++lap) {  // the slots are reused lap after lap
    for (int i = 0; i < 4; ++i)
      CHECK(ring.try_push(&items[i]));
    CHECK_FALSE(ring.try_push(&items[4]));
    CHECK(ring.maybe_nonempty());
    for (int i = 0; i < 4; ++i)
      CHECK(ring.try_pop() == &items[i]);
    CHECK(ring.try_pop() == nullptr);
    CHECK_FALSE(ring.maybe_nonempty());
  }
}

// Many producers and consumers at once: every item comes out exactly once, and the items of
// one producer come out in the order it pushed them (as each consumer sees them).
TEST_CASE("a runnable ring hands every item to exactly one consumer under contention") {
  constexpr int producers = 3;
  constexpr int consumers = 3;
  constexpr int per_producer = 100'000;
  runnable_ring ring(64);  // small: producers often find it full
  std::vector<item> items(producers * per_producer);
  std::vector<std::atomic<int>> popped(items.size());
  std::atomic<int> total{0};
  std::atomic<bool> out_of_order{false};

  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        item* it = &items[static_cast<std::size_t>(p * per_producer + i)];
        while (!ring.try_push(it))
          std::this_thread::yield();
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      std::vector<std::ptrdiff_t> last(producers, -1);  // per producer, the last index seen
      while (total.load(std::memory_order_relaxed) < producers * per_producer) {
        thespis::runnable* r = ring.try_pop();
        if (r == nullptr) {
          std::this_thread::yield();
          continue;
        }
        const std::ptrdiff_t index = static_cast<item*>(r) - items.data();
        const auto producer = static_cast<std::size_t>(index / per_producer);
        if (index <= last[producer]) out_of_order.store(true, std::memory_order_relaxed);
        last[producer] = index;
        popped[static_cast<std::size_t>(index)].fetch_add(1, std::memory_order_relaxed);
        total.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads)
    t.join();

  int wrong = 0;
  for (auto& p : popped)
    wrong += p.load() == 1 ? 0 : 1;
  CHECK(wrong == 0);
  CHECK(total.load() == producers * per_producer);
  CHECK_FALSE(out_of_order.load());
}
