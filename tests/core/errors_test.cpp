// The error classes follow Thespian's hierarchy (docs/semantics.md), so that a user may catch a
// whole family at once: every error the system throws is an actor_system_exception.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <type_traits>

#include "core/thespis.hpp"

namespace {
template <class Base, class Derived>
constexpr bool is_a = std::is_base_of_v<Base, Derived>;
}  // namespace

using namespace thespis;

static_assert(is_a<std::runtime_error, actor_system_exception>);
static_assert(is_a<actor_system_exception, invalid_actor_address>);
static_assert(is_a<actor_system_exception, invalid_actor_specification>);
static_assert(is_a<actor_system_exception, invalid_actor_source_hash>);
static_assert(is_a<actor_system_exception, no_compatible_system_for_actor>);
static_assert(is_a<actor_system_exception, bad_message_cast>);
static_assert(is_a<actor_system_exception, actor_system_failure>);
static_assert(is_a<actor_system_failure, actor_system_startup_failure>);
static_assert(is_a<actor_system_startup_failure, invalid_system_config>);
static_assert(is_a<actor_system_failure, actor_system_request_timeout>);
static_assert(is_a<actor_system_failure, system_shut_down>);

TEST_CASE("a bad system configuration is caught as a startup failure, with what was wrong") {
  try {
    actor_system sys{system_config{.base = "no such base"}};
    FAIL("the system started");
  } catch (const actor_system_startup_failure& e) {
    CHECK_THAT(e.what(), Catch::Contains("no such base"));
  }
}
