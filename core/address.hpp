// The address of an actor: a small, copyable, comparable, hashable and printable value.
// User code obtains addresses only from the system (creation, self, sender); it cannot forge one.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

#include "core/detail/address_target.hpp"
#include "core/detail/ref_counted.hpp"

namespace thespis {

namespace detail {
struct address_access;
}

/// Names an actor (or a reply slot), locally or — with later bases — in another process or host.
/// A default-constructed address names nobody; sending to it produces a dead letter.
/// Equality and ordering compare identity (owning system and number), never object state.
/// Thread-safe to copy and compare; one pointer wide.
class address {
 public:
  address() noexcept = default;

  /// Returns true unless this is the null address.
  explicit operator bool() const noexcept { return static_cast<bool>(target_); }

  /// Returns a stable hash of the identity.
  std::size_t hash() const noexcept;

  /// Returns a printable form such as "@1.42" (system 1, actor 42), or "@none".
  std::string to_string() const;

  friend bool operator==(const address& a, const address& b) noexcept { return a.id() == b.id(); }
  friend std::strong_ordering operator<=>(const address& a, const address& b) noexcept {
    return a.id() <=> b.id();
  }
  friend std::ostream& operator<<(std::ostream& os, const address& a);

 private:
  friend struct detail::address_access;
  explicit address(detail::intrusive_ptr<detail::address_target> t) noexcept
      : target_(std::move(t)) {}
  detail::address_id id() const noexcept { return target_ ? target_->id() : detail::address_id{}; }

  detail::intrusive_ptr<detail::address_target> target_;
};

namespace detail {
/// The runtime's key to address internals; not for user code.
struct address_access {
  static address make(intrusive_ptr<address_target> t) noexcept { return address{std::move(t)}; }
  static address_target* target(const address& a) noexcept { return a.target_.get(); }
  /// Makes an address of a reference to t the caller already owns.
  static address adopt(address_target* t) noexcept {
    return address{intrusive_ptr<address_target>::adopt(t)};
  }
  /// Empties a and hands its reference to the caller.
  static address_target* detach(address& a) noexcept { return a.target_.detach(); }
  static address_id id(const address& a) noexcept { return a.id(); }
};
}  // namespace detail

}  // namespace thespis

template <>
struct std::hash<thespis::address> {
  std::size_t operator()(const thespis::address& a) const noexcept { return a.hash(); }
};
