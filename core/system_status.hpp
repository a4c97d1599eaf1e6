// What actor_system::status() reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/address.hpp"
#include "core/system_config.hpp"

namespace thespis {

/// A snapshot of a running system (Thespian's system status).
struct system_status {
  capability_map capabilities;
  std::vector<address> live_actors;
  address dead_letter_handler;  ///< null when none is registered
  std::uint64_t dead_letter_count = 0;
  /// Messages that reached an actor with no handler for them and were dropped by the default
  /// unhandled() (system messages an actor need not handle, such as a child's exit, aside).
  std::uint64_t unhandled_count = 0;
  /// Timers the system's timer service holds: a reply timeout per awaited reply, a transient
  /// actor's check, and one per actor with pending wakeups, however many it has (an actor keeps
  /// its wakeups itself; actor_status::pending_wakeups counts them). An actor whose wakeups were
  /// all cancelled keeps its timer until the earliest cancelled one's deadline: it fires then and
  /// finds nothing due.
  std::size_t pending_timers = 0;
  bool shutting_down = false;
};

}  // namespace thespis
