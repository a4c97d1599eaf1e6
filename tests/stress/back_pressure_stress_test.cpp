// Back-pressure between actors that flood each other, on real threads: both can finish a
// message over the other's limit at the same moment and try to park on each other at once.
// Neither may wait for good, and nothing may be lost.
#include <catch2/catch.hpp>

#include <chrono>

#include "support/bases.hpp"

using thespis::address;

namespace {
struct go {
  int remaining;
};
struct count_request {};
struct counted {
  int received;
};

// Each message received makes it send two to its peer.
class doubling_echo : public thespis::actor {
 public:
  doubling_echo() {
    handle([this](const address& peer) { peer_ = peer; });
    handle([this](const go& g) {
      ++received_;
      if (g.remaining > 0) {
        send(peer_, go{g.remaining - 1});
        send(peer_, go{g.remaining - 1});
      }
    });
    handle([this](const count_request&, const address& from) { send(from, counted{received_}); });
  }

 private:
  address peer_;
  int received_ = 0;
};

// Asks with a short timeout: a parked pair never answers, and the round must fail, not hang.
int received_by(thespis::actor_system& sys, const address& a) {
  auto reply = sys.ask<counted>(a, count_request{}, std::chrono::seconds(2));
  return reply ? reply->received : -1;
}
}  // namespace

TEST_CASE("two actors flooding each other on two workers never park on each other for good") {
  constexpr int depth = 14;  // 2^15 - 1 = 32,767 messages per round
  constexpr int expected = (1 << (depth + 1)) - 1;
  for (int round = 0; round < 30; ++round) {
    thespis::system_config config;
    config.mailbox_limit = 4;  // small: the pair parks many times per round
    thespis::actor_system sys{thespis::test::config_for<thespis::test::threaded_base>(config)};
    address a = sys.create_actor<doubling_echo>();
    address b = sys.create_actor<doubling_echo>();
    sys.tell(a, b);
    sys.tell(b, a);
    sys.tell(a, go{depth});
    int total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const int ra = received_by(sys, a), rb = received_by(sys, b);
      if (ra < 0 || rb < 0) break;  // an actor stopped answering: parked for good
      total = ra + rb;
      if (total == expected) break;
    }
    INFO("round " << round);
    REQUIRE(total == expected);
  }
}
