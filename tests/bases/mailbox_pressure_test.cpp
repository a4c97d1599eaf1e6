// mailbox_pressure: who may wait for a congested mailbox, and when they are woken.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "bases/common/mailbox_pressure.hpp"

using thespis::detail::address_target;
using thespis::detail::intrusive_ptr;
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
  intrusive_ptr<address_target> parked_on() const noexcept override {
    return pressure_.parked_on();
  }

 private:
  const mailbox_pressure& pressure_;
};
}  // namespace

TEST_CASE("a sender waits for a congested mailbox and is woken at the low-water mark") {
  mailbox_pressure target(4);
  actor_stub target_actor(target);
  overfill(target, 6);
  REQUIRE(target.congested());
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }, target_actor));
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
  const bool a_waits_for_b = b.wait([] {}, actor_b);
  const bool b_waits_for_a = a.wait([] {}, actor_a);
  CHECK_FALSE((a_waits_for_b && b_waits_for_a));
}

TEST_CASE("a sender waits for a parked relay whose own target is not parked") {
  // source -> relay -> sink: the relay waits for the sink; the source must still be held back.
  mailbox_pressure relay(4), sink(4);
  actor_stub relay_actor(relay), sink_actor(sink);
  overfill(relay, 6);
  overfill(sink, 6);
  relay.park(&sink_actor);
  CHECK(relay.wait([] {}, relay_actor));
}

TEST_CASE("a sender waits for a chain of parked relays that ends at an actor still running") {
  // source -> relay 1 -> relay 2 -> relay 3 -> sink: each relay waits for the next one, the
  // last for the sink. Looking one relay ahead let the source go on unthrottled.
  mailbox_pressure r1(4), r2(4), r3(4), sink(4);
  actor_stub r1_actor(r1), r2_actor(r2), r3_actor(r3), sink_actor(sink);
  for (auto* p : {&r1, &r2, &r3, &sink})
    overfill(*p, 6);
  r3.park(&sink_actor);
  r2.park(&r3_actor);
  r1.park(&r2_actor);
  CHECK(r1.wait([] {}, r1_actor));
}

TEST_CASE("a sender does not wait where the chain of parked actors comes back to the target") {
  // a -> b -> c -> a, all parked: whoever would wait for a (say an actor about to park on it)
  // must go on, or a ring of four would park for good.
  mailbox_pressure a(4), b(4), c(4);
  actor_stub a_actor(a), b_actor(b), c_actor(c);
  for (auto* p : {&a, &b, &c})
    overfill(*p, 6);
  a.park(&b_actor);
  b.park(&c_actor);
  c.park(&a_actor);
  CHECK_FALSE(a.wait([] {}, a_actor));
  CHECK_FALSE(b.wait([] {}, b_actor));
}

TEST_CASE("a sender does not wait behind a chain of parked actors longer than the bound") {
  constexpr std::size_t length = mailbox_pressure::max_wait_chain + 1;
  std::vector<std::unique_ptr<mailbox_pressure>> pressures;
  std::vector<std::unique_ptr<actor_stub>> actors;
  for (std::size_t i = 0; i <= length; ++i) {
    pressures.push_back(std::make_unique<mailbox_pressure>(4));
    actors.push_back(std::make_unique<actor_stub>(*pressures.back()));
    overfill(*pressures.back(), 6);
  }
  // Each waits for the next; the last (index `length`) runs.
  for (std::size_t i = 0; i < length; ++i)
    pressures[i]->park(actors[i + 1].get());
  CHECK_FALSE(pressures[0]->wait([] {}, *actors[0]));
  CHECK(pressures[1]->wait([] {}, *actors[1]));  // one fewer: within the bound
}

TEST_CASE("a parked actor's mailbox takes waiters again once it runs again") {
  mailbox_pressure target(4), its_target(4);
  actor_stub target_actor(target), its_target_actor(its_target);
  overfill(target, 6);
  its_target.park(&target_actor);
  target.park(&its_target_actor);  // the two wait for each other: a cycle
  CHECK_FALSE(target.wait([] {}, target_actor));
  target.unpark();
  CHECK(target.wait([] {}, target_actor));
}

TEST_CASE("parking wakes the senders waiting for the parking actor") {
  mailbox_pressure target(4), its_target(4);
  actor_stub target_actor(target), its_target_actor(its_target);
  overfill(target, 6);
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }, target_actor));
  target.park(&its_target_actor);
  CHECK(woken == 1);
}

TEST_CASE("nobody waits for a mailbox whose actor has exited") {
  mailbox_pressure target(4);
  actor_stub target_actor(target);
  overfill(target, 6);
  int woken = 0;
  REQUIRE(target.wait([&] { ++woken; }, target_actor));
  target.close();
  CHECK(woken == 1);
  CHECK_FALSE(target.wait([] {}, target_actor));
}
