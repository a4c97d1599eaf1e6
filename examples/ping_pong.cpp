// Shows two actors exchanging messages and one reporting back to the outside caller: the demo
// that README's main command runs. Prints the time per message: for an argument N the ball
// makes N+1 one-way hops (about N/2 round trips).
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <thespis/thespis.hpp>

struct start {
  thespis::address peer;
  long rounds;
};
struct ball {
  long remaining;
};
struct done {
  long rounds;
};

class player : public thespis::actor {
 public:
  player() {
    handle([this](const start& s, const thespis::address& from) {
      client_ = from;
      rounds_ = s.rounds;
      send(s.peer, ball{s.rounds});
    });
    handle([this](const ball& b, const thespis::address& from) {
      if (b.remaining > 0) {
        send(from, ball{b.remaining - 1});
      } else if (client_) {
        send(client_, done{rounds_});  // the starting player reports
      } else {
        send(from, ball{0});  // hand the final ball back to the starting player
      }
    });
  }

 private:
  thespis::address client_;  // only the starting player uses it
  long rounds_ = 0;
};

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  thespis::actor_system sys;
  auto ping = sys.create_actor<player>();
  auto pong = sys.create_actor<player>();
  const auto t0 = std::chrono::steady_clock::now();
  auto result = sys.ask<done>(ping, start{pong, rounds}, std::chrono::seconds(60));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  if (!result || result->rounds != rounds) {
    std::cerr << "ping_pong: no or wrong result\n";
    return 1;
  }
  const double ns = std::chrono::duration<double, std::nano>(elapsed).count();
  const double messages = static_cast<double>(rounds + 1);  // +1 possible bounce ignored
  std::cout << "ping_pong: " << rounds + 1 << " messages in " << ns / 1e6
            << " ms = " << ns / messages << " ns/message, " << messages / (ns / 1e9)
            << " messages/s\n";
}
