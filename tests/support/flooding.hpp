// Actors that flood each other, for the back-pressure tests (behavioural and stress).
#pragma once

#include "core/thespis.hpp"

namespace thespis::test {

struct go {
  int remaining;  // hops still to make
  int seq = -1;   // the sending echo_flood's count of its sends; -1 from anyone else
};
struct count_request {};
struct counted {
  int received;
  int out_of_order;  // messages from the peer that came out of the order it sent them
  int sent = 0;      // to the peer
};

// Two of these flood each other: told its peer's address first, then each `go` received makes
// it send two to the peer, numbered. Answers count_request with what it received (and how many
// of the peer's came out of order) and sent: a pair has lost or duplicated nothing when each
// received what the other sent (plus any `go` from outside), in order.
class echo_flood : public actor {
 public:
  echo_flood() {
    handle([this](const address& peer) { peer_ = peer; });
    handle([this](const go& g) {
      ++received_;
      if (g.seq >= 0) {
        if (g.seq != next_from_peer_) ++out_of_order_;
        next_from_peer_ = g.seq + 1;
      }
      if (g.remaining > 0) {
        send(peer_, go{g.remaining - 1, sent_++});
        send(peer_, go{g.remaining - 1, sent_++});
      }
    });
    handle([this](const count_request&, const address& from) {
      send(from, counted{received_, out_of_order_, sent_});
    });
  }

 private:
  address peer_;
  int received_ = 0;
  int out_of_order_ = 0;
  int next_from_peer_ = 0;
  int sent_ = 0;
};

}  // namespace thespis::test
