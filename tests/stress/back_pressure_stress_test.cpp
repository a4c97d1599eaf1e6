// Back-pressure between actors that flood each other, on real threads: both can finish a
// message over the other's limit at the same moment and try to park on each other at once.
// Neither may wait for good, and nothing may be lost.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include "support/bases.hpp"
#include "support/flooding.hpp"

using thespis::address;
using thespis::test::count_request;
using thespis::test::counted;
using thespis::test::echo_flood;
using thespis::test::go;

namespace {
// Asks with a short timeout: a parked pair never answers, and the round must fail, not hang.
// A starved machine may also miss it (seen at nice 19 beside two busy loops: rounds of 23 s
// that finished), so only the round's deadline decides.
std::optional<counted> counts_of(thespis::actor_system& sys, const address& a) {
  return sys.ask<counted>(a, count_request{}, std::chrono::seconds(2));
}
}  // namespace

TEST_CASE("two actors flooding each other on two workers never park on each other for good") {
  constexpr int depth = 14;  // 2^15 - 1 = 32,767 messages per round
  constexpr int expected = (1 << (depth + 1)) - 1;
  for (int round = 0; round < 30; ++round) {
    thespis::system_config config;
    config.mailbox_limit = 4;  // small: the pair parks many times per round
    thespis::actor_system sys{thespis::test::config_for<thespis::test::threaded_base>(config)};
    address a = sys.create_actor<echo_flood>();
    address b = sys.create_actor<echo_flood>();
    sys.tell(a, b);
    sys.tell(b, a);
    sys.tell(a, go{depth});
    std::optional<counted> ca, cb;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      ca = counts_of(sys, a);
      cb = counts_of(sys, b);
      if (ca && cb && ca->received + cb->received == expected) break;
    }
    INFO("round " << round);
    REQUIRE(ca);
    REQUIRE(cb);
    REQUIRE(ca->received + cb->received == expected);
    // Nothing lost, duplicated or reordered across the parks: each received what the other
    // sent (a also the first `go`, from outside), in the order sent.
    CHECK(ca->received == cb->sent + 1);
    CHECK(cb->received == ca->sent);
    CHECK(ca->out_of_order == 0);
    CHECK(cb->out_of_order == 0);
  }
}
