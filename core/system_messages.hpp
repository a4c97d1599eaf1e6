// Messages the system itself sends to actors.
#pragma once

#include <string>

#include "core/message.hpp"

namespace thespis {

/// Asks an actor to exit. It reaches receive() like any message so the actor can clean up; the
/// actor cannot refuse: once the handler returns, the actor is gone and its address is dead.
/// Sent by the system to every live actor on shutdown, or by anyone who holds the address.
struct actor_exit_request {};

/// Returned to the sender of a message whose handler threw twice in a row (the message is retried
/// once, on the same actor instance, before this is sent). Never sent about a poison_message.
struct poison_message {
  message original;        ///< the message that failed
  std::string error_type;  ///< the exception's type, or "unknown" for a non-std exception
  std::string what;        ///< the exception's text
};

}  // namespace thespis
