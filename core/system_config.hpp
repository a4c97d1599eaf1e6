// How an actor_system is set up: which base runs it, how many workers, and its capabilities.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "core/logging.hpp"

namespace thespis {

/// One capability value: a flag, a number or a string.
using capability_value = std::variant<bool, std::int64_t, double, std::string>;

/// The system's capabilities, by name (Thespian's capabilities dictionary).
using capability_map = std::map<std::string, capability_value, std::less<>>;

/// Configuration of an actor_system. Use designated initializers:
/// `thespis::system_config{.base = "simple"}`.
struct system_config {
  /// The system base: "threaded" (default: a work-stealing pool) or "simple" (synchronous and
  /// deterministic, on the caller's thread; for unit tests).
  std::string base = "threaded";
  /// Worker threads of the threaded base; 0 means one per hardware thread.
  unsigned workers = 0;
  /// Messages an actor handles per activation before it yields its worker (fairness).
  unsigned message_budget = 64;
  /// Back-pressure: a sender to an actor with more than this many queued messages is slowed
  /// down until the actor drains to half of it (see docs/semantics.md). 0: unbounded mailboxes.
  std::size_t mailbox_limit = 0;
  /// How long an outside tell may block on back-pressure before it throws
  /// actor_system_request_timeout (the message itself is already queued).
  std::chrono::milliseconds tell_timeout{30'000};
  /// How long shutdown() waits for actors to finish their exit handlers.
  std::chrono::milliseconds shutdown_timeout{10'000};
  /// Actors' log lines below this level are dropped.
  log_level log_threshold = log_level::info;
  /// Where actors' log lines go; stderr when empty. On the threaded base the workers call it
  /// at once, each for its own actor's line: it must be thread-safe (the stderr sink locks).
  log_sink log_to = {};
  /// Capabilities this system offers; "thespis.version" and "thespis.base" are always added.
  capability_map capabilities = {};
};

}  // namespace thespis
