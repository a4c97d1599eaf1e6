// What actor_system::shutdown() reports: every actor that had not exited by the deadline, and why.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"

namespace thespis {

/// Why an actor was still alive when shutdown's deadline passed.
enum class unfinished_reason {
  busy_in_handler,       ///< a worker is inside one of its handlers (it may never return)
  waiting_for_children,  ///< its exit handler ran; a child of it has not exited yet
  waiting_for_a_worker,  ///< its exit request is queued, but every worker is busy elsewhere
  /// Back-pressure parked it (system_config::mailbox_limit): it runs again, and sees its exit
  /// request, once `waiting_on`'s mailbox drains or that actor exits.
  waiting_for_a_full_mailbox,
};

/// Returns "busy in a handler", "waiting for its children", "waiting for a worker" or "waiting
/// for a full mailbox to drain".
std::string_view to_string(unfinished_reason reason) noexcept;

/// One actor that had not exited by the deadline.
struct unfinished_actor {
  address actor;
  std::string actor_class;  ///< readable class name
  unfinished_reason reason;
  address waiting_on;  ///< for waiting_for_a_full_mailbox: the actor whose mailbox is full
};

/// The outcome of a shutdown. A system whose shutdown was not clean frees itself only once its
/// unfinished actors have exited (see actor_system::~actor_system).
struct shutdown_report {
  std::vector<unfinished_actor> unfinished;  ///< in address order; empty if all exited in time

  /// Returns true if every actor exited before the deadline.
  bool clean() const noexcept { return unfinished.empty(); }

  /// Returns one line per unfinished actor ("@1.4 (my::worker): busy in a handler"), or "". A
  /// parked actor's line names the actor it waits for.
  std::string to_string() const;
};

}  // namespace thespis
