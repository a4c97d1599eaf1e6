#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "mailbox/mpsc_mailbox.hpp"

namespace {
struct node {
  node* next = nullptr;
  int sender = 0;
  std::uint64_t seq = 0;
};
using mailbox = thespis::mpsc_mailbox<node>;
using thespis::push_result;
}  // namespace

TEST_CASE("a blocked mailbox asks the first push to schedule the consumer, and only the first") {
  mailbox box;  // starts blocked
  node a, b;
  CHECK(box.push(&a) == push_result::unblocked);
  CHECK(box.push(&b) == push_result::queued);
  CHECK(box.try_pop() == &a);
  CHECK(box.try_pop() == &b);
  CHECK(box.try_pop() == nullptr);
  CHECK(box.try_block());
  node c;
  CHECK(box.push(&c) == push_result::unblocked);
}

TEST_CASE("a mailbox refuses to block while it holds messages") {
  mailbox box(mailbox::initial_state::open);
  node a;
  CHECK(box.push(&a) == push_result::queued);
  CHECK_FALSE(box.try_block());
  CHECK(box.try_pop() == &a);
  CHECK(box.try_block());
}

TEST_CASE("a single producer's messages come out in the order pushed, across batches") {
  mailbox box(mailbox::initial_state::open);
  std::vector<node> nodes(100);
  for (std::size_t i = 0; i < 50; ++i)
    (void)box.push(&nodes[i]);
  for (std::size_t i = 0; i < 25; ++i)
    CHECK(box.try_pop() == &nodes[i]);
  for (std::size_t i = 50; i < 100; ++i)
    (void)box.push(&nodes[i]);
  for (std::size_t i = 25; i < 100; ++i)
    CHECK(box.try_pop() == &nodes[i]);
  CHECK(box.try_pop() == nullptr);
}

TEST_CASE("closing a mailbox drains it in order and refuses later pushes") {
  mailbox box(mailbox::initial_state::open);
  node a, b, c;
  (void)box.push(&a);
  (void)box.push(&b);
  CHECK(box.try_pop() == &a);
  (void)box.push(&c);
  std::vector<node*> drained;
  CHECK(box.close([&](node* n) { drained.push_back(n); }) == 2);
  CHECK(drained == std::vector<node*>{&b, &c});
  node d;
  CHECK(box.push(&d) == push_result::closed);
}

// The property moodycamel's per-thread queues cannot give: one logical sender that hops between
// threads between two sends still has its messages consumed in send order.
TEST_CASE("a sender that migrates between threads keeps FIFO order, amid other producers") {
  constexpr int threads = 3;
  constexpr std::uint64_t per_logical_sender = 20'000;
  constexpr std::uint64_t per_background_producer = 50'000;
  mailbox box(mailbox::initial_state::open);
  std::vector<node> migrating(per_logical_sender);
  std::vector<std::vector<node>> background(threads, std::vector<node>(per_background_producer));

  // The token says which thread sends the migrating sender's next message, and its number
  // (seq << 8 | thread). Handing it over with release/acquire is the happens-before an actor's
  // move between workers provides.
  std::atomic<std::uint64_t> token{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      std::minstd_rand rng(static_cast<unsigned>(t) + 1);
      std::uint64_t bg = 0;
      for (;;) {
        const std::uint64_t held = token.load(std::memory_order_acquire);
        const std::uint64_t seq = held >> 8;
        if (seq == per_logical_sender && bg == per_background_producer) return;
        if (seq < per_logical_sender && static_cast<int>(held & 0xff) == t) {
          migrating[seq] = node{nullptr, -1, seq};
          (void)box.push(&migrating[seq]);
          token.store((seq + 1) << 8 | (rng() % threads), std::memory_order_release);
        } else if (bg < per_background_producer) {
          background[t][bg] = node{nullptr, t, bg};
          (void)box.push(&background[t][bg]);
          ++bg;
        } else {
          std::this_thread::yield();  // waiting for the token: let its holder run
        }
      }
    });
  }

  std::vector<std::uint64_t> expected(threads + 1, 0);  // index threads = the migrating sender
  std::uint64_t received = 0, out_of_order = 0;
  const std::uint64_t total = per_logical_sender + threads * per_background_producer;
  while (received < total) {
    node* n = box.try_pop();
    if (!n) {
      std::this_thread::yield();
      continue;
    }
    auto& want = expected[n->sender < 0 ? threads : n->sender];
    if (n->seq != want) ++out_of_order;
    want = n->seq + 1;
    ++received;
  }
  for (auto& p : producers)
    p.join();
  CHECK(out_of_order == 0);
  CHECK(expected[threads] == per_logical_sender);
  CHECK(box.try_pop() == nullptr);
}

TEST_CASE("concurrent pushes to a blocked mailbox schedule the consumer exactly once per block") {
  constexpr int threads = 4;
  constexpr int per_thread = 20'000;
  mailbox box;  // blocked
  std::vector<std::vector<node>> nodes(threads, std::vector<node>(per_thread));
  // `active` plays the scheduler: an `unblocked` push activates the consumer; a second
  // activation while one is active would put an actor on two threads at once.
  std::atomic<bool> active{false};
  std::atomic<int> wakeups{0}, double_activations{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (auto& n : nodes[t]) {
        if (box.push(&n) == push_result::unblocked) {
          wakeups.fetch_add(1, std::memory_order_relaxed);
          if (active.exchange(true, std::memory_order_acq_rel)) double_activations.fetch_add(1);
        }
      }
    });
  }
  int consumed = 0, blocks = 0;
  while (consumed < threads * per_thread) {
    if (!active.load(std::memory_order_acquire)) {
      std::this_thread::yield();
      continue;
    }
    while (box.try_pop())
      ++consumed;
    active.store(false, std::memory_order_release);
    if (box.try_block()) {
      ++blocks;  // the activation ends; the next `unblocked` push starts another
    } else {
      active.store(true, std::memory_order_relaxed);  // messages arrived: keep going
    }
  }
  for (auto& p : producers)
    p.join();
  CHECK(double_activations.load() == 0);
  CHECK(wakeups.load() == blocks);
}
