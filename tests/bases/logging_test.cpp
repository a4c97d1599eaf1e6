// Behaviour every base must show for actors' logging.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "support/bases.hpp"
#include "support/log_capture.hpp"

using thespis::address;
using thespis::log_level;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct chatter {};
class chatty : public thespis::actor {
 public:
  chatty() {
    handle([this](const chatter&, const address& from) {
      log(log_level::debug, "too fine to see");
      log(log_level::warning, "worth seeing");
      send(from, true);
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE("actors log through the system's sink, tagged, above the threshold", "[log]",
                   THESPIS_BASES) {
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_threshold = log_level::info;
  config.log_to = logged.sink();
  thespis::actor_system sys{config_for<TestType>(config)};
  address a = sys.template create_actor<chatty>();
  REQUIRE(sys.template ask<bool>(a, chatter{}, answer_within));
  const auto records = logged.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].level == log_level::warning);
  CHECK(records[0].actor == a);
  CHECK(records[0].text == "worth seeing");
  CHECK(records[0].actor_class.find("chatty") != std::string::npos);
}

namespace {
class service {
 public:
  int get() { return 1; }
};
struct ask_service {};
// Asks the service, and its reply handler throws: a failure resume() logs.
class failing_on_reply : public thespis::actor {
 public:
  explicit failing_on_reply(const address& to) : service_(ref<service>(to)) {
    handle([this](const ask_service&) {
      service_.request(&service::get, answer_within).then([](int) -> void {
        throw std::runtime_error("the reply handler failed");
      });
    });
    handle([this](const chatter&, const address& from) { send(from, true); });
  }

 private:
  thespis::actor_ref<service> service_;
};
}  // namespace

TEMPLATE_TEST_CASE("a log sink that throws does not end the program when a reply handler fails",
                   "[log]", THESPIS_BASES) {
  std::atomic<int> sink_calls{0};
  thespis::system_config config;
  config.log_to = [&](const thespis::log_record&) {
    ++sink_calls;
    throw std::runtime_error("sink down");
  };
  thespis::actor_system sys{config_for<TestType>(config)};
  const auto to = sys.template create_actor<service>();
  address a = sys.template create_actor<failing_on_reply>(to.address());
  sys.tell(a, ask_service{});
  REQUIRE(thespis::test::eventually([&] { return sink_calls.load() == 1; }));
  CHECK(sys.template ask<bool>(a, chatter{}, answer_within));  // it goes on with its messages
}
