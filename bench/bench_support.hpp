// What the Thespis benchmarks share on top of bench/suite.hpp: how a row configures its system
// base and how it waits for a reply or for actors to exit.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "bench/suite.hpp"
#include "core/thespis.hpp"

namespace bench {

/// Returns a threaded-base config for a row whose range(0) is the worker count (0: one per
/// hardware thread), labelled by label_workers().
inline thespis::system_config threaded_config(benchmark::State& state) {
  thespis::system_config config;
  config.workers = label_workers(state);
  return config;
}

/// Returns a simple-base config: everything runs on the benchmark's thread.
inline thespis::system_config simple_config() {
  thespis::system_config config;
  config.base = "simple";
  return config;
}

/// Asks `to` and returns the reply if it came in time and is an R. Unlike actor_system::ask<R>,
/// never throws for a reply of another type (a poison_message, say): the row reports it instead.
template <class R, class T>
std::optional<R> ask_for(thespis::actor_system& sys, const thespis::address& to, T&& msg) {
  auto reply = sys.ask(to, std::forward<T>(msg), reply_timeout);
  if (!reply) return std::nullopt;
  if (R* r = reply->template try_get<R>()) return std::move(*r);
  return std::nullopt;
}

/// Waits (up to `timeout`) until at most `count` actors are alive; returns false on timeout.
/// For rows whose actors exit on their own: the next iteration must not overlap their exits.
inline bool wait_for_live_actors(const thespis::actor_system& sys, std::size_t count,
                                 std::chrono::seconds timeout = reply_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sys.live_actor_count() > count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace bench
