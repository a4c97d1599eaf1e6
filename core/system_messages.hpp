// Messages the system itself sends to actors.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "core/address.hpp"
#include "core/message.hpp"

namespace thespis {

/// Asks an actor to exit. It reaches receive() like any message so the actor can clean up; the
/// actor cannot refuse: once the handler returns, the actor is gone and its address is dead.
/// Sent by the system to every live actor on shutdown, or by anyone who holds the address.
/// Recursive by default: once the handler returns, the actor's children get exit requests too,
/// and the actor is gone when they have all exited. A handler (or the sender) may call
/// not_recursive() to leave the children alive as top-level actors.
/// Why an actor exited, as its watchers hear it (actor_exited).
enum class exit_reason : std::uint8_t {  // a byte: every actor cell holds one
  requested,            ///< an actor_exit_request from its parent, itself or anyone else
  idle,                 ///< it was idle for its set time (exit_when_idle_for: retired)
  shutdown,             ///< the system shut down
  capability_lost,      ///< a capability it requires was changed or removed
  construction_failed,  ///< its constructor threw
  failed,               ///< its handlers kept failing and its supervision gave up (see supervision)
  unknown,              ///< it was gone before the watch began
};

/// Returns "requested", "idle", "shutdown", "capability lost", "construction failed", "failed"
/// or "unknown".
std::string_view to_string(exit_reason reason) noexcept;

struct actor_exit_request {
  using thespis_system_message = void;
  bool recursive = true;
  exit_reason reason = exit_reason::requested;  ///< what the watchers will be told
  void not_recursive() noexcept { recursive = false; }
};

/// Sent to a parent exactly once for every way a child ends: an exit request, a constructor that
/// threw, a capability re-validation. `child` is the address of the child that is gone.
struct child_actor_exited {
  using thespis_system_message = void;
  address child;
};

/// Sent to every actor that watches `actor` (actor::watch) when it is gone, with the reason.
/// Watching an actor that is already gone gets this at once, with exit_reason::unknown.
struct actor_exited {
  address actor;
  exit_reason reason = exit_reason::requested;
};

/// Sent to a type's director when a message is sent by id (by_id<T>(id)) to an id with no live
/// actor. The director may create the actor with create_for(request, args…) — now or later, as
/// long as it keeps the request — and every message for the id sent meanwhile is delivered to
/// it, in the order sent. A request dropped without creating (declined) sends those messages to
/// dead-letter handling. Move-only.
struct spawn_request {
  std::string id;
  const std::type_info* type = nullptr;  ///< the class messages were addressed to
  std::shared_ptr<void> ticket;          ///< declines on destruction unless created
};

/// What a dead-letter handler receives: a message that could not be delivered, and the address
/// it was sent to (null if it was sent to the null address). The envelope's sender is the
/// original sender.
struct dead_envelope {
  message original;
  address dead_address;
  std::string dead_id;  ///< for a message sent by id (by_id<T>(id)) that nobody took: the id
};

/// Names one pending wakeup, for cancel_wakeup(). A default handle names none.
struct wakeup_handle {
  std::uint64_t id = 0;
  friend bool operator==(const wakeup_handle&, const wakeup_handle&) = default;
};

/// Delivered to an actor that called wakeup_after(): the delay it asked for and its payload.
struct wakeup_message {
  using thespis_system_message = void;
  std::chrono::nanoseconds delay{0};
  message payload;       ///< empty if none was given
  wakeup_handle handle;  ///< what wakeup_after() returned
};

/// Sent to an actor, answered by the system with an actor_status without the actor seeing it.
struct status_request {
  using thespis_system_message = void;
};

/// The system's answer to a status_request sent to an actor.
struct actor_status {
  address actor;
  std::string class_name;
  std::string global_name;        ///< empty unless created with a global name
  address parent;                 ///< null for top-level actors
  std::vector<address> children;  ///< live children
  std::size_t pending_messages = 0;
  std::size_t pending_wakeups = 0;
  /// Messages given to the actor (its handlers or unhandled()), system messages it sees
  /// included; not status requests, nor what the system handles for it (wakeup bookkeeping,
  /// transient checks), so asking does not change the answer.
  std::uint64_t messages_processed = 0;
  std::size_t peak_pending_messages = 0;  ///< with a mailbox limit: most ever queued at once
};

/// Returned to the sender of a message whose handler threw twice in a row (the message is retried
/// once, on the same actor instance, before this is sent). Never sent about a poison_message.
struct poison_message {
  message original;        ///< the message that failed
  std::string error_type;  ///< the exception's type, or "unknown" for a non-std exception
  std::string what;        ///< the exception's text
};

}  // namespace thespis
