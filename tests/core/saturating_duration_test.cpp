#include <catch2/catch.hpp>

#include <chrono>
#include <limits>

#include "core/detail/saturating_duration.hpp"

using thespis::detail::forever;
using thespis::detail::saturating_ns;

// A user's "for ever" must not overflow into the past (a wakeup at once, an ask that gives up at
// once), and a NaN must not reach the conversion, which is undefined for it (UBSan reports it).
TEST_CASE("a timeout too long for nanoseconds is for ever, and a NaN one is zero") {
  using namespace std::chrono;
  CHECK(saturating_ns(milliseconds(250)) == nanoseconds(250'000'000));
  CHECK(saturating_ns(seconds::max()) == forever);
  CHECK(saturating_ns(hours(-1'000'000'000)) == -forever);
  CHECK(saturating_ns(duration<double>(std::numeric_limits<double>::infinity())) == forever);
  volatile double computed_nan = std::numeric_limits<double>::quiet_NaN();  // not folded away
  CHECK(saturating_ns(duration<double>(computed_nan)) == nanoseconds::zero());
  CHECK(saturating_ns(duration<double, std::milli>(1.5)) == nanoseconds(1'500'000));
}
