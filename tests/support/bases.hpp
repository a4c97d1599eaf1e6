// The behavioural suite is written once and runs on every base: each TEMPLATE_TEST_CASE is
// instantiated with these tags, and builds its system with config_for<Tag>().
#pragma once

#include <chrono>

#include "core/thespis.hpp"

namespace thespis::test {

struct simple_base {
  static constexpr const char* name = "simple";
};
struct threaded_base {
  static constexpr const char* name = "threaded";
};

template <class Base>
system_config config_for(system_config config = {}) {
  config.base = Base::name;
  if (config.workers == 0) config.workers = 2;
  return config;
}

/// A generous timeout for asks that must be answered: only a broken system waits this long.
inline constexpr std::chrono::seconds answer_within{30};

}  // namespace thespis::test

#define THESPIS_BASES thespis::test::simple_base, thespis::test::threaded_base

#include <thread>

namespace thespis::test {
/// Waits until `condition()` holds, for at most `answer_within`; returns whether it held. For
/// effects that a threaded base completes asynchronously (an exit, a dead letter).
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + answer_within;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}
}  // namespace thespis::test
