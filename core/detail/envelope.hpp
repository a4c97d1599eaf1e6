// The unit a mailbox holds: one message plus its sender, in a single allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <typeinfo>
#include <utility>

#include "core/address.hpp"
#include "core/detail/envelope_allocator.hpp"

namespace thespis::detail {

/// True for the messages the runtime itself acts on (exit requests, wakeups, status requests…):
/// they declare `using thespis_system_message = void;`.
template <class T>
inline constexpr bool is_system_message = requires {
  typename T::thespis_system_message;
};

/// A message in flight. The payload lives in the derived envelope_of<T>, so sending costs one
/// allocation in all: the message itself. `next` links envelopes inside a mailbox.
///
/// 32 bytes before the payload: the payload's type and the two flags share one word (a
/// type_info is pointer-aligned, so its address has free low bits). A backlog of small
/// messages is memory-bound — an int64 message takes a 48-byte block instead of a 64-byte one.
struct envelope : small_object {  // from the per-thread slabs (envelope_allocator.hpp)
  envelope(address from, const std::type_info& t, bool system) noexcept
      : sender(std::move(from)),
        type_and_flags_(reinterpret_cast<std::uintptr_t>(&t) | (system ? system_flag : 0)) {}
  virtual ~envelope() = default;
  envelope(const envelope&) = delete;
  envelope& operator=(const envelope&) = delete;

  /// Returns the exact type of the payload.
  const std::type_info& type() const noexcept {
    return *reinterpret_cast<const std::type_info*>(type_and_flags_ & ~flag_mask);
  }
  /// True if the runtime must look at it (is_system_message).
  bool system() const noexcept { return (type_and_flags_ & system_flag) != 0; }
  /// True if sent by (class, id): an exiting recipient passes it on.
  bool routed_by_id() const noexcept { return (type_and_flags_ & routed_by_id_flag) != 0; }
  void set_routed_by_id(bool routed) noexcept {
    type_and_flags_ =
        routed ? type_and_flags_ | routed_by_id_flag : type_and_flags_ & ~routed_by_id_flag;
  }

  envelope* next = nullptr;  // owned by whichever mailbox holds the envelope
  address sender;            // who sent it; null for messages from outside the system

 private:
  static constexpr std::uintptr_t system_flag = 1;
  static constexpr std::uintptr_t routed_by_id_flag = 2;
  static constexpr std::uintptr_t flag_mask = system_flag | routed_by_id_flag;
  static_assert(alignof(std::type_info) > flag_mask, "the flags live in a type_info's address");
  std::uintptr_t type_and_flags_;  // &type_info | flags
};

/// An envelope carrying a T. Moved in, never copied or serialized in-process.
template <class T>
struct envelope_of final : envelope {
  template <class... Args>
  explicit envelope_of(address from, Args&&... args)
      // One flag test per message instead of a type comparison per kind of system message.
      : envelope(std::move(from), typeid(T), is_system_message<T>),
        value(std::forward<Args>(args)...) {}
  T value;
};

/// Returns true if the envelope holds exactly a T.
///
/// Why not just `e.type() == typeid(T)`: with libstdc++ a type_info comparison that fails runs
/// strcmp on the mangled names (type_info objects are not guaranteed unique across shared
/// objects), and the runtime asks "is it this system message?" several times per system message
/// — strcmp was 6.6 % of skynet. The pointer test settles every match in one binary; a system
/// message type is the runtime's own, created and tested by the one copy of Thespis in the
/// process, so for it a different type_info object means a different type. Other types still
/// get the full comparison, so user types defined in several shared objects keep working.
template <class T>
bool holds(const envelope& e) noexcept {
  if (&e.type() == &typeid(T)) return true;
  if constexpr (is_system_message<T>) {
    return false;
  } else {
    return e.type() == typeid(T);
  }
}

/// Returns the payload if the envelope holds exactly a T, else nullptr.
template <class T>
T* payload_if(envelope* e) noexcept {
  return (e && holds<T>(*e)) ? &static_cast<envelope_of<T>*>(e)->value : nullptr;
}

}  // namespace thespis::detail
