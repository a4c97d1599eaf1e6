#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/detail/handler_table.hpp"
#include "core/detail/make_envelope.hpp"
#include "core/thespis.hpp"
#include "support/on_destroy.hpp"

using thespis::address;
using thespis::message;
using thespis::detail::handler_table;

namespace {
message make(auto value) {
  return message(thespis::detail::make_envelope(address{}, std::move(value)));
}

// Counts how many copies of it are alive: a capture that is destroyed twice, or never, shows.
struct alive_counter {
  explicit alive_counter(int& alive) : alive_(&alive) { ++*alive_; }
  alive_counter(const alive_counter& other) : alive_(other.alive_) { ++*alive_; }
  alive_counter(alive_counter&& other) noexcept : alive_(other.alive_) { ++*alive_; }
  alive_counter& operator=(const alive_counter&) = delete;
  ~alive_counter() { --*alive_; }
  int* alive_;
};

struct alignas(64) over_aligned {
  std::int64_t value = 0;
};
}  // namespace

// Handlers are kept inline up to 24 bytes of captures and on their own block beyond; over-
// aligned captures get their alignment. Each must run with its captures intact and be
// destroyed exactly once, whether replaced, moved when the table grows, or dropped with it.
TEST_CASE("handlers keep their captures, small, large, move-only or over-aligned") {
  int alive = 0;
  std::int64_t seen_int = 0;
  std::string seen_string;
  std::int64_t seen_double_sum = 0;
  std::int64_t seen_aligned = 0;
  bool aligned_ok = false;
  {
    handler_table table;
    alive_counter counter(alive);
    auto owned = std::make_unique<std::int64_t>(5);
    std::array<std::int64_t, 8> big{1, 2, 3, 4, 5, 6, 7, 8};  // 64 bytes: not inline
    over_aligned aligned{11};
    // Inline: a pointer and a non-trivially copyable capture.
    table.add([&seen_int, counter](std::int64_t v) { seen_int = v + (counter.alive_ ? 1 : 0); });
    // Inline and move-only.
    table.add([&seen_string, p = std::move(owned)](const std::string& s) {
      seen_string = s + std::to_string(*p);
    });
    // On its own block: larger than the inline room.
    table.add([&seen_double_sum, big, counter](double d) {
      std::int64_t sum = 0;
      for (auto x : big)
        sum += x;
      seen_double_sum = sum + static_cast<std::int64_t>(d);
    });
    // Over-aligned: on its own block, aligned.
    table.add([&seen_aligned, &aligned_ok, aligned](float) {
      aligned_ok = reinterpret_cast<std::uintptr_t>(&aligned) % alignof(over_aligned) == 0;
      seen_aligned = aligned.value;
    });
    CHECK(alive == 3);  // counter, and its copies in two handlers

    message i = make(std::int64_t{41});
    message s = make(std::string("x"));
    message d = make(2.0);
    message f = make(1.0f);
    CHECK(table.dispatch(i, address{}));
    CHECK(table.dispatch(s, address{}));
    CHECK(table.dispatch(d, address{}));
    CHECK(table.dispatch(f, address{}));
    CHECK(seen_int == 42);
    CHECK(seen_string == "x5");
    CHECK(seen_double_sum == 38);
    CHECK(seen_aligned == 11);
    CHECK(aligned_ok);

    // Replacing a handler destroys the old one's captures, once.
    table.add([&seen_int](std::int64_t v) { seen_int = -v; });
    CHECK(alive == 2);
    CHECK(table.dispatch(i, address{}));
    CHECK(seen_int == -41);

    message unknown = make('c');
    CHECK_FALSE(table.dispatch(unknown, address{}));
  }
  CHECK(alive == 0);  // the table and the original are gone
}

// An actor is often built on one thread and ended on another; its handlers' blocks must go
// back to the allocator from there.
TEST_CASE("a handler table built on one thread can be destroyed on another") {
  int alive = 0;
  auto table = std::make_unique<handler_table>();
  std::array<std::int64_t, 16> big{};
  table->add([big, counter = alive_counter(alive)](std::int64_t) { (void)big; });
  table->add([counter = alive_counter(alive)](const std::string&) {});
  CHECK(alive == 2);
  std::thread([&] { table.reset(); }).join();
  CHECK(alive == 0);
}

namespace {
struct copy_counter {
  explicit copy_counter(int& copies) : copies_(&copies) {}
  copy_counter(const copy_counter& other) : copies_(other.copies_) { ++*copies_; }
  copy_counter& operator=(const copy_counter&) = delete;
  int* copies_;
};
}  // namespace

// A lambda that captures a `const T&` parameter by copy holds a `const T`, which every move
// copies; for an address that copy is an atomic on the target's count, which other threads
// write. Adding such a handler copies its captures once, into the table, and not again.
TEST_CASE("adding a handler copies a capture that cannot move only once") {
  int copies = 0;
  const copy_counter counter(copies);
  handler_table table;
  const auto add_capturing = [&table](const copy_counter& c) {
    auto handler = [c](std::int64_t) { (void)c; };  // holds a `const copy_counter`
    const int before = *c.copies_;
    table.add(std::move(handler));  // a "move" that copies
    return *c.copies_ - before;
  };
  CHECK(add_capturing(counter) == 1);
  message i = make(std::int64_t{1});
  CHECK(table.dispatch(i, address{}));
}

// Switching behaviour inside a handler: the running handler must keep its captures while it
// runs, whether it adds a handler for a new type (the table grows and moves its entries) or
// replaces itself. Added as `later` (the runtime says so while an actor handles a message),
// the change waits for install_added(), which the runtime calls when the message is done.
TEST_CASE("handlers added while a handler runs apply when installed, and it keeps its captures") {
  handler_table table;
  std::vector<std::string> seen;
  auto label = std::make_shared<std::string>("first int handler");
  table.add([&, label](int n) {
    table.add([&](double) { seen.push_back("double"); }, true);  // a new type: the table grows
    table.add([&, n](int) { seen.push_back("second int handler after " + std::to_string(n)); },
              true);
    seen.push_back(*label + " still alive");  // its captures were not moved or destroyed
  });
  message one = make(1);
  message half = make(0.5);
  CHECK_FALSE(table.dispatch(half, address{}));  // not yet: the first int handler never ran
  REQUIRE(table.dispatch(one, address{}));
  CHECK_FALSE(table.dispatch(half, address{}));  // not yet: the message is not done
  table.install_added();
  message two = make(2);
  message quarter = make(0.25);
  REQUIRE(table.dispatch(two, address{}));
  REQUIRE(table.dispatch(quarter, address{}));
  CHECK(seen == std::vector<std::string>{"first int handler still alive",
                                         "second int handler after 1", "double"});
  CHECK(label.use_count() == 1);  // the replaced handler, and its capture, are gone
}

// Handlers held back on one thread are that table's only: another table installing its own
// leaves them, and they apply in the order added, the latest for a type winning.
TEST_CASE("installing a table's held-back handlers leaves another table's alone") {
  handler_table first;
  handler_table second;
  std::vector<int> seen;
  first.add([&](int) { seen.push_back(1); }, true);
  second.add([&](int) { seen.push_back(2); }, true);
  first.add([&](int) { seen.push_back(3); }, true);
  first.install_added();
  message one = make(1);
  CHECK(first.dispatch(one, address{}));
  CHECK_FALSE(second.dispatch(one, address{}));
  second.install_added();
  CHECK(second.dispatch(one, address{}));
  CHECK(seen == std::vector<int>{3, 2});
}

using thespis::test::on_destroy;

// A held-back handler replaces one whose capture registers a handler when destroyed, which it
// is while install_added() installs: that one is held back too (the actor is still in its
// message) and must be installed with the others. It stayed in the thread's list: lost, or
// installed later into whatever table next had that address (a restarted actor).
TEST_CASE("a handler added by a replaced handler's destructor while installing is installed") {
  handler_table table;
  std::vector<std::string> seen;
  auto guard = std::make_shared<on_destroy>(
      [&] { table.add([&](double) { seen.push_back("double"); }, true); });
  table.add([guard](int) {});
  guard.reset();
  table.add([&](int) { seen.push_back("int"); }, true);
  table.install_added();
  message one = make(1);
  message half = make(0.5);
  CHECK(table.dispatch(one, address{}));
  CHECK(table.dispatch(half, address{}));
  CHECK(seen == std::vector<std::string>{"int", "double"});
}

// What a replaced handler's destructor registers while installing counts as registered at that
// moment, as it is outside a message: a later registration of the message's own wins over it.
// It was installed after all of the message's, overriding the handler registered after it.
TEST_CASE(
    "a handler a replaced handler's destructor registers while installing is installed in "
    "the order a switch made at once gives") {
  std::vector<std::string> seen;
  const auto switch_with = [&](handler_table& table, bool later) {
    auto guard = std::make_shared<on_destroy>(
        [&seen, &table, later] { table.add([&seen](double) { seen.push_back("x"); }, later); });
    table.add([guard](int) {});  // H0, whose destruction registers x for double
    guard.reset();
    table.add([&seen](int) { seen.push_back("int"); }, later);        // H1 replaces H0
    table.add([&seen](double) { seen.push_back("double"); }, later);  // H2, after x
    table.install_added();
    message half = make(0.5);
    CHECK(table.dispatch(half, address{}));
  };
  handler_table at_once;
  switch_with(at_once, false);
  handler_table held_back;
  switch_with(held_back, true);
  CHECK(seen == std::vector<std::string>{"double", "double"});
}

// Outside a message (the constructor, the actor's destructor) a handler is added at once. When
// the one it replaces, or the table's end, destroys a capture that adds a handler, the table
// must be whole for that add: it grew under the replacement (the new handler written into the
// freed block, lost) and under the destruction (its block freed twice, captures destroyed twice).
TEST_CASE("a handler a destroyed capture adds at once leaves the table whole") {
  int alive = 0;
  std::vector<std::string> seen;
  {
    handler_table table;
    auto guard = std::make_shared<on_destroy>(
        [&] { table.add([&, c = alive_counter(alive)](double) { seen.push_back("double"); }); });
    table.add([guard, c = alive_counter(alive)](int) {});  // the table is full: one slot
    guard.reset();
    table.add([&](int) { seen.push_back("second int"); });  // replaces: the table grows
    message one = make(1);
    message half = make(0.5);
    CHECK(table.dispatch(one, address{}));
    CHECK(table.dispatch(half, address{}));
    CHECK(seen == std::vector<std::string>{"second int", "double"});
    CHECK(alive == 1);
  }
  CHECK(alive == 0);
  {
    handler_table table;
    auto guard = std::make_shared<on_destroy>(
        [&] { table.add([&, c = alive_counter(alive)](double) { seen.push_back("late"); }); });
    table.add([guard, c = alive_counter(alive)](int) {});
    table.add([c = alive_counter(alive)](const std::string&) {});  // full: two slots
    guard.reset();
    CHECK(alive == 2);
  }  // the int handler's guard adds a handler while the table is destroyed
  CHECK(alive == 0);
}
