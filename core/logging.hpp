// Logging from actors: each actor's lines are tagged with its address and class and go to the
// system's one sink (stderr unless the configuration replaces it), above a level threshold.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/address.hpp"

namespace thespis {

enum class log_level { debug, info, warning, error, off };

/// Returns "debug", "info", "warning", "error" or "off".
std::string_view to_string(log_level level) noexcept;

/// One line logged by an actor.
struct log_record {
  log_level level;
  address actor;            ///< who logged it
  std::string actor_class;  ///< its class, readable
  std::string text;
  std::chrono::system_clock::time_point time;
};

/// Receives every record at or above the threshold. Called on the logging actor's thread, so
/// it must be thread-safe on the threaded base.
using log_sink = std::function<void(const log_record&)>;

/// Writes "time level @1.2 (class): text" lines to stderr, one at a time. Thread-safe.
void stderr_log_sink(const log_record& record);

}  // namespace thespis
