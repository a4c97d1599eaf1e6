// mailbox_pressure: who may wait for a congested mailbox, and when they are woken.
#include <catch2/catch.hpp>

#include "bases/common/mailbox_pressure.hpp"

using thespis::detail::address_target;
using thespis::detail::mailbox_pressure;

namespace {
// Fills a mailbox past its limit.
void overfill(mailbox_pressure& p, int messages) {
  for (int i = 0; i < messages; ++i)
    p.pushed();
}

// Stands for the actor whose mailbox `pressure` is: what a parking actor waits for.
class actor_stub final : public address_target {
 public:
  explicit actor_stub(const mailbox_pressure& pressure)
      : address_target({0, 1}), pressure_(pressure) {}
  ~actor_stub() override = default;
  void deliver(thespis::detail::envelope*) noexcept override {}
  bool parked() const noexcept override { return pressure_.parked(); }

 private:
  const mailbox_pressure& pressure_;
};
}  // namespace

TEST_CASE("a sender waits for a congested mailbox and is woken at the low-water mark") {
  mailbox_pressure target(4);
  overfill(target, 6);
  REQUIRE(target.congested());
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }));
  target.consumed();  // 5 left
  target.consumed();  // 4
  target.consumed();  // 3
  CHECK(woken == 0);
  target.consumed();  // 2: the low-water mark
  CHECK(woken == 1);
}

TEST_CASE("two actors parking on each other at the same moment do not both wait") {
  // The interleaving that once parked both for good: each marks itself parked (releasing its
  // own waiters, none yet), then each asks to wait for the other, whose mailbox is over the
  // limit. At least one must be refused.
  mailbox_pressure a(4), b(4);
  actor_stub actor_a(a), actor_b(b);
  overfill(a, 6);
  overfill(b, 6);
  a.park(&actor_b);
  b.park(&actor_a);
  const bool a_waits_for_b = b.wait([] {});
  const bool b_waits_for_a = a.wait([] {});
  CHECK_FALSE((a_waits_for_b && b_waits_for_a));
}

TEST_CASE("a sender waits for a parked relay whose own target is not parked") {
  // source -> relay -> sink: the relay waits for the sink; the source must still be held back.
  mailbox_pressure relay(4), sink(4);
  actor_stub sink_actor(sink);
  overfill(relay, 6);
  overfill(sink, 6);
  relay.park(&sink_actor);
  CHECK(relay.wait([] {}));
}

TEST_CASE("a parked actor's mailbox takes waiters again once it runs again") {
  mailbox_pressure target(4), its_target(4), third(4);
  actor_stub its_target_actor(its_target), third_actor(third);
  overfill(target, 6);
  its_target.park(&third_actor);
  target.park(&its_target_actor);  // waits for an actor that is parked itself
  CHECK_FALSE(target.wait([] {}));
  target.unpark();
  CHECK(target.wait([] {}));
}

TEST_CASE("parking wakes the senders waiting for the parking actor") {
  mailbox_pressure target(4), its_target(4);
  actor_stub its_target_actor(its_target);
  overfill(target, 6);
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }));
  target.park(&its_target_actor);
  CHECK(woken == 1);
}

TEST_CASE("nobody waits for a mailbox whose actor has exited") {
  mailbox_pressure target(4);
  overfill(target, 6);
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }));
  target.close();
  CHECK(woken == 1);
  CHECK_FALSE(target.wait([] {}));
}
