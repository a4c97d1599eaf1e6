// Actors that flood each other, for the back-pressure tests (behavioural and stress).
#pragma once

#include "core/thespis.hpp"

namespace thespis::test {

struct go {
  int remaining;  // hops still to make
};
struct count_request {};
struct counted {
  int received;
  int out_of_order;
};

// Two of these flood each other: told its peer's address first, then each `go` received makes
// it send two to the peer. Answers count_request with what it received.
class echo_flood : public actor {
 public:
  echo_flood() {
    handle([this](const address& peer) { peer_ = peer; });
    handle([this](const go& g) {
      ++received_;
      if (g.remaining > 0) {
        send(peer_, go{g.remaining - 1});
        send(peer_, go{g.remaining - 1});
      }
    });
    handle([this](const count_request&, const address& from) {
      send(from, counted{received_, 0});
    });
  }

 private:
  address peer_;
  int received_ = 0;
};

}  // namespace thespis::test
