// The sender references an actor's messages carried, held by the receiving actor. Each envelope
// carries a reference to its sender, which the receiver drops once the message is handled: an
// atomic decrement on the sender's cell, in a cache line the sender's own thread keeps writing
// (in ping-pong this one decrement was a fifth of the receiving activation). Consecutive
// messages from one sender — counting, fan-in, a producer's burst, and ping-pong or a ring,
// where every message comes from the same peer — keep the first message's reference for the
// receiver to see and count the others', dropped in one update when another sender's message
// comes, the count grows large, or the receiver exits. The cost: an actor keeps its last
// sender's cell (not its instance) allocated until one of those happens.
#pragma once

#include <cstdint>

#include "core/address.hpp"

namespace thespis::detail {

/// Owner only (the receiving actor's activation).
class sender_references {
 public:
  sender_references() = default;
  sender_references(const sender_references&) = delete;
  sender_references& operator=(const sender_references&) = delete;
  ~sender_references() { clear(); }

  /// Takes over `from` (an envelope's sender, left null) and returns the same address, valid
  /// until the next take() or clear().
  const address& take(address& from) noexcept {
    address_target* target = address_access::target(from);
    if (target != nullptr && target == address_access::target(current_) &&
        surplus_ < surplus_limit) {
      (void)address_access::detach(from);  // its reference is counted in surplus_ instead
      ++surplus_;
      return current_;
    }
    clear();
    current_ = std::move(from);
    return current_;
  }

  /// Drops every reference held.
  void clear() noexcept {
    if (surplus_ != 0) address_access::target(current_)->release_surplus_refs(surplus_);
    surplus_ = 0;
    current_ = address{};
  }

 private:
  // Far below the 32-bit reference count's range, however many senders hold some. 16 bits,
  // so that the actor cell packs its small fields into this class's tail.
  static constexpr std::uint16_t surplus_limit = 0xFFFF;
  address current_;            // holds one reference
  std::uint16_t surplus_ = 0;  // further references to current_'s target, from later messages
};

}  // namespace thespis::detail
