// Behaviour every base must show for actors' logging.
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::log_level;
using thespis::log_record;
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
struct captured {
  std::mutex mutex;
  std::vector<log_record> records;
};
}  // namespace

TEMPLATE_TEST_CASE("actors log through the system's sink, tagged, above the threshold", "[log]",
                   THESPIS_BASES) {
  auto sink = std::make_shared<captured>();
  thespis::system_config config;
  config.log_threshold = log_level::info;
  config.log_to = [sink](const log_record& r) {
    std::lock_guard lock(sink->mutex);
    sink->records.push_back(r);
  };
  thespis::actor_system sys{config_for<TestType>(config)};
  address a = sys.template create_actor<chatty>();
  REQUIRE(sys.template ask<bool>(a, chatter{}, answer_within));
  std::lock_guard lock(sink->mutex);
  REQUIRE(sink->records.size() == 1);
  CHECK(sink->records[0].level == log_level::warning);
  CHECK(sink->records[0].actor == a);
  CHECK(sink->records[0].text == "worth seeing");
  CHECK(sink->records[0].actor_class.find("chatty") != std::string::npos);
}
