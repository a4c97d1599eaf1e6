// Behaviour every base must show for actors' logging.
#include <catch2/catch.hpp>

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
