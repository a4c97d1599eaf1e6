// What an address points at: something that accepts envelopes. A local actor's cell, an ask's
// reply slot, and later a proxy for an actor in another process or host.
#pragma once

#include <cstdint>
#include <functional>

#include "core/detail/ref_counted.hpp"

namespace thespis {
class address;
}  // namespace thespis

namespace thespis::detail {

struct envelope;

/// Identity of an addressable entity: the system (node) that owns it and its number there.
struct address_id {
  std::uint32_t node = 0;  // systems numbered in this process; 4 billion before one repeats
  std::uint64_t local = 0;
  friend bool operator==(const address_id&, const address_id&) = default;
  friend auto operator<=>(const address_id&, const address_id&) = default;
};

/// Accepts envelopes for one address. Thread-safe.
class address_target : public ref_counted {
 public:
  explicit address_target(address_id id) noexcept : node_(id.node), local_(id.local) {}

  /// Takes ownership of `env` and delivers it, or hands it to dead-letter handling.
  /// Never throws: the messaging hot path reports failure by dead-lettering.
  virtual void deliver(envelope* env) noexcept = 0;
  /// Delivers `env` as deliver() does, unless the target is gone (its mailbox closed): then
  /// returns false and `env` stays the caller's. For a sender with somewhere else to take it
  /// (a troupe's leader, whose member exited on its own). Thread-safe.
  virtual bool deliver_unless_closed(envelope* env) noexcept {
    deliver(env);
    return true;
  }

  address_id id() const noexcept { return {node_, local_}; }

  /// Returns true if senders to this target must slow down (back-pressure). Thread-safe.
  virtual bool congested() const noexcept { return false; }
  /// While this target is itself parked, waiting for another to drain: that other one;
  /// otherwise null. Thread-safe.
  virtual intrusive_ptr<address_target> parked_on() const noexcept { return {}; }
  /// Registers `wake` to run once the target has drained or is gone; returns false, without
  /// registering, if there is nothing to wait for. Thread-safe.
  virtual bool wait_until_drained(std::function<void()> wake) {
    (void)wake;
    return false;
  }
  /// Told, as the sender, that a message it sent became a dead letter: no reply to it can come.
  /// An outside ask's reply address stops waiting; other targets ignore it. Thread-safe.
  virtual void sent_message_dead() noexcept {}
  /// Told, as the sender, that its receiver dropped a message it sent as unhandled (no handler
  /// for its type): no reply to it can come either. By default as sent_message_dead().
  virtual void sent_message_unhandled() noexcept { sent_message_dead(); }

  // -- what a watch of this address watches ----------------------------------------------------
  /// True for code outside the actor system (its inbox, an outside ask's reply address): it
  /// never exits while the system runs, so a watch of it is accepted and never reports — and no
  /// watch request is sent there, where it would be taken for a reply.
  virtual bool is_outside_code() const noexcept { return false; }
  /// The actor this address stands for, if it is not one itself (a request's reply address
  /// stands for the asking actor, whose exit notice names the asker); otherwise null.
  virtual const address* stands_for() const noexcept { return nullptr; }

 private:
  // Not an address_id member: a 32-bit node fills the reference count's word (the base's tail
  // padding), so an actor cell, one per actor, is a word smaller.
  const std::uint32_t node_;
  const std::uint64_t local_;
};

}  // namespace thespis::detail
