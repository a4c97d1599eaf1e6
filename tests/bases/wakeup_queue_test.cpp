#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "bases/common/wakeup_queue.hpp"
#include "core/detail/envelope.hpp"
#include "core/system_messages.hpp"

using thespis::wakeup_handle;
using thespis::wakeup_message;
using thespis::detail::destroy_envelope;
using thespis::detail::envelope;
using thespis::detail::envelope_of;
using thespis::detail::wakeup_queue;
using time_point = wakeup_queue::time_point;

namespace {

time_point at(std::int64_t ms) {
  return time_point{} + std::chrono::milliseconds(ms);
}

std::uint64_t push(wakeup_queue& q, time_point deadline) {
  return q.push(deadline, [](std::uint64_t key) -> envelope* {
    return new envelope_of<wakeup_message>(thespis::address{},
                                           wakeup_message{{}, {}, wakeup_handle{key}});
  });
}

std::uint64_t key_of(envelope* e) {
  return static_cast<envelope_of<wakeup_message>*>(e)->value.handle.id;
}

// Takes what is due at `now`: the envelopes in the order given.
std::vector<envelope*> take_envelopes(wakeup_queue& q, time_point now) {
  std::vector<envelope*> taken;
  const wakeup_queue::due_list due = q.take_due(now);
  envelope* e = due.first;
  for (std::size_t i = 0; i < due.count; ++i) {
    taken.push_back(e);
    e = e->next;
  }
  CHECK((due.count == 0 ? due.last == nullptr : due.last == taken.back()));
  return taken;
}

// Takes what is due at `now`, lets each arrive (each must still be pending), and returns their
// keys in the order given.
std::vector<std::uint64_t> take(wakeup_queue& q, time_point now) {
  std::vector<std::uint64_t> keys;
  for (envelope* e : take_envelopes(q, now)) {
    keys.push_back(key_of(e));
    CHECK(q.arrived(static_cast<envelope_of<wakeup_message>*>(e)->value));
    destroy_envelope(e);
  }
  return keys;
}

}  // namespace

TEST_CASE("due wakeups are taken earliest first, ties in the order set") {
  wakeup_queue q;
  const auto late = push(q, at(30));
  const auto first_tie = push(q, at(10));
  const auto early = push(q, at(5));
  const auto second_tie = push(q, at(10));
  CHECK(take(q, at(4)).empty());
  CHECK(q.next_deadline() == at(5));
  CHECK(take(q, at(10)) == std::vector{early, first_tie, second_tie});
  CHECK(q.next_deadline() == at(30));
  CHECK(q.size() == 1);
  CHECK(take(q, at(100)) == std::vector{late});
  CHECK_FALSE(q.next_deadline());
  CHECK(q.size() == 0);
}

TEST_CASE("a taken wakeup stays pending until it arrives, and arrives once") {
  wakeup_queue q;
  push(q, at(10));
  const auto taken = take_envelopes(q, at(10));
  REQUIRE(taken.size() == 1);
  CHECK(q.size() == 1);
  const auto& w = static_cast<envelope_of<wakeup_message>*>(taken[0])->value;
  CHECK(q.arrived(w));
  CHECK_FALSE(q.arrived(w));
  CHECK(q.size() == 0);
  destroy_envelope(taken[0]);
}

TEST_CASE("a wakeup cancelled before or after it was taken never arrives") {
  wakeup_queue q;
  const auto waiting = push(q, at(20));
  const auto taken_key = push(q, at(10));
  const auto taken = take_envelopes(q, at(10));
  REQUIRE(taken.size() == 1);
  CHECK(key_of(taken[0]) == taken_key);
  CHECK(q.cancel(waiting));
  CHECK(q.cancel(taken_key));
  CHECK_FALSE(q.cancel(taken_key));
  CHECK_FALSE(q.arrived(static_cast<envelope_of<wakeup_message>*>(taken[0])->value));
  destroy_envelope(taken[0]);
  CHECK(take(q, at(100)).empty());
  CHECK(q.size() == 0);
}

TEST_CASE("a cleared wakeup queue never issues a key again") {
  wakeup_queue q;
  std::set<std::uint64_t> issued;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i)
      CHECK(issued.insert(push(q, at(i))).second);
    (void)take(q, at(50));
    q.clear();
    CHECK(q.size() == 0);
    CHECK_FALSE(q.next_deadline());
  }
}

// Checked against a std::multimap through a long random run of pushes, cancels and takes, with
// enough cancels that the heap compacts its tombstones many times over.
TEST_CASE("a wakeup queue takes exactly the wakeups set and not cancelled, in deadline order") {
  wakeup_queue q;
  std::map<std::uint64_t, std::pair<time_point, std::uint64_t>> waiting;  // key -> deadline, order
  std::vector<std::uint64_t> keys;
  std::mt19937_64 random(7);
  std::uint64_t order = 0;
  std::int64_t now = 0;
  bool exact = true;
  for (int step = 0; step < 100'000; ++step) {
    const auto roll = random() % 100;
    if (roll < 55) {
      const time_point deadline = at(now + static_cast<std::int64_t>(random() % 5'000));
      const auto key = push(q, deadline);
      waiting.emplace(key, std::pair{deadline, order++});
      keys.push_back(key);
    } else if (roll < 95 && !keys.empty()) {
      const auto key = keys[random() % keys.size()];
      exact = exact && q.cancel(key) == (waiting.erase(key) == 1);
    } else {
      now += static_cast<std::int64_t>(random() % 200);
      std::multimap<std::pair<time_point, std::uint64_t>, std::uint64_t> due;
      for (auto it = waiting.begin(); it != waiting.end();) {
        if (it->second.first <= at(now)) {
          due.emplace(it->second, it->first);
          it = waiting.erase(it);
        } else {
          ++it;
        }
      }
      std::vector<std::uint64_t> expected;
      for (const auto& [when, key] : due)
        expected.push_back(key);
      const auto got = take(q, at(now));
      exact = exact && got == expected;
    }
  }
  CHECK(exact);
  CHECK(q.size() == waiting.size());
}
