// What a handler of a plain-object actor may ask to know about the message it handles.
#pragma once

#include "core/address.hpp"

namespace thespis {

/// Filled in by the runtime, never by the sender: a member function that takes a
/// `const message_meta&` as its last parameter receives it, and callers leave it out
/// (`ref.tell(&user_agent::notify, text)` calls `notify(text, meta)`).
struct message_meta {
  address sender;     ///< who sent the message; the outside caller's address for outside sends
  address recipient;  ///< the actor handling it
};

}  // namespace thespis
