// What an address points at: something that accepts envelopes. A local actor's cell, an ask's
// reply slot, and later a proxy for an actor in another process or host.
#pragma once

#include <cstdint>
#include <functional>

#include "core/detail/ref_counted.hpp"

namespace thespis::detail {

struct envelope;

/// Identity of an addressable entity: the system (node) that owns it and its number there.
struct address_id {
  std::uint64_t node = 0;
  std::uint64_t local = 0;
  friend bool operator==(const address_id&, const address_id&) = default;
  friend auto operator<=>(const address_id&, const address_id&) = default;
};

/// Accepts envelopes for one address. Thread-safe.
class address_target : public ref_counted {
 public:
  explicit address_target(address_id id) noexcept : id_(id) {}

  /// Takes ownership of `env` and delivers it, or hands it to dead-letter handling.
  /// Never throws: the messaging hot path reports failure by dead-lettering.
  virtual void deliver(envelope* env) noexcept = 0;

  address_id id() const noexcept { return id_; }

  /// Returns true if senders to this target must slow down (back-pressure). Thread-safe.
  virtual bool congested() const noexcept { return false; }
  /// Returns true while this target is itself parked, waiting for another to drain. Thread-safe.
  virtual bool parked() const noexcept { return false; }
  /// Registers `wake` to run once the target has drained or is gone; returns false, without
  /// registering, if there is nothing to wait for. Thread-safe.
  virtual bool wait_until_drained(std::function<void()> wake) {
    (void)wake;
    return false;
  }

 private:
  const address_id id_;
};

}  // namespace thespis::detail
