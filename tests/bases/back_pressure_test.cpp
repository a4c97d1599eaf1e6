// Behaviour every base must show with a mailbox limit (back-pressure).
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "support/bases.hpp"
#include "support/flooding.hpp"

using thespis::actor_status;
using thespis::address;
using thespis::status_request;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::count_request;
using thespis::test::counted;
using thespis::test::echo_flood;
using thespis::test::eventually;
using thespis::test::go;

namespace {
constexpr std::size_t limit = 100;

struct item {
  int seq;
};

// Counts what it receives, slowly: each message takes a little work.
class slow_sink : public thespis::actor {
 public:
  slow_sink() {
    handle([this](const item& i) {
      if (i.seq != next_) ++out_of_order_;
      next_ = i.seq + 1;
      ++received_;
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    });
    handle([this](const count_request&, const address& from) {
      send(from, counted{received_, out_of_order_});
    });
  }

 private:
  int next_ = 0, received_ = 0, out_of_order_ = 0;
};

// Floods its target in chunks of 10 messages per activation step.
class flooder : public thespis::actor {
 public:
  explicit flooder(address target) : target_(std::move(target)) {
    handle([this](const go& g) {
      for (int i = 0; i < 10 && sent_ < g.remaining; ++i)
        send(target_, item{sent_++});
      if (sent_ < g.remaining) send(self(), g);
    });
  }

 private:
  address target_;
  int sent_ = 0;
};

// Passes every item on to its target.
class relay : public thespis::actor {
 public:
  explicit relay(address target) : target_(std::move(target)) {
    handle([this](const item& i) { send(target_, i); });
  }

 private:
  address target_;
};

thespis::system_config limited() {
  thespis::system_config config;
  config.mailbox_limit = limit;
  return config;
}
}  // namespace

TEMPLATE_TEST_CASE("a fast actor flooding a slow one is slowed so the mailbox stays bounded",
                   "[back-pressure]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(limited())};
  address sink = sys.template create_actor<slow_sink>();
  address source = sys.template create_actor<flooder>(sink);
  sys.tell(source, go{5000});
  REQUIRE(eventually([&] {
    return sys.template ask<counted>(sink, count_request{}, answer_within)->received == 5000;
  }));
  CHECK(sys.template ask<counted>(sink, count_request{}, answer_within)->out_of_order == 0);
  auto status = sys.template ask<actor_status>(sink, status_request{}, answer_within);
  REQUIRE(status);
  // The flooder pauses after the message that overfilled the sink: at most one chunk more.
  CHECK(status->peak_pending_messages <= limit + 12);
}

TEMPLATE_TEST_CASE("back-pressure reaches the source through a relay parked on a slow sink",
                   "[back-pressure]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(limited())};
  address sink = sys.template create_actor<slow_sink>();
  address middle = sys.template create_actor<relay>(sink);
  address source = sys.template create_actor<flooder>(middle);
  sys.tell(source, go{3000});
  REQUIRE(eventually([&] {
    return sys.template ask<counted>(sink, count_request{}, answer_within)->received == 3000;
  }));
  CHECK(sys.template ask<counted>(sink, count_request{}, answer_within)->out_of_order == 0);
  // While the relay waits for the sink, the source waits for the relay: both mailboxes stay
  // near the limit (unthrottled, the relay's would hold most of the 3,000). The relay's may go
  // a little further than a single hop's: each time it parks it releases the source for one
  // more chunk (seen: limit + 13 under ThreadSanitizer).
  for (const address& a : {middle, sink}) {
    auto status = sys.template ask<actor_status>(a, status_request{}, answer_within);
    REQUIRE(status);
    CHECK(status->peak_pending_messages <= 2 * limit);
  }
}

TEMPLATE_TEST_CASE("two actors flooding each other under a mailbox limit do not deadlock",
                   "[back-pressure]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>(limited())};
  address a = sys.template create_actor<echo_flood>();
  address b = sys.template create_actor<echo_flood>();
  sys.tell(a, b);
  sys.tell(b, a);
  sys.tell(a, go{10});  // 2^11 - 1 = 2047 messages in all, doubling at each hop
  REQUIRE(eventually([&] {
    return sys.template ask<counted>(a, count_request{}, answer_within)->received +
               sys.template ask<counted>(b, count_request{}, answer_within)->received ==
           2047;
  }));
}

TEST_CASE("an outside tell to a full mailbox blocks until it drains") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>(limited())};
  address sink = sys.create_actor<slow_sink>();
  for (int i = 0; i < 1000; ++i)
    sys.tell(sink, item{i});
  auto status = sys.ask<actor_status>(sink, status_request{}, answer_within);
  REQUIRE(status);
  CHECK(status->peak_pending_messages <= limit + 1);
  REQUIRE(eventually(
      [&] { return sys.ask<counted>(sink, count_request{}, answer_within)->received == 1000; }));
}
