// The unit a mailbox holds: one message plus its sender, in a single allocation.
#pragma once

#include <concepts>
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

struct envelope;

/// True for a payload that asks for an answer: a method call sent by ask or request, which
/// tells its request number (0 for a call sent by tell).
template <class T>
concept carries_request = requires(const T& payload) {
  { payload.request() } -> std::convertible_to<std::uint64_t>;
  typename T::thespis_method_call;
};

/// What every envelope of one payload type shares: the type, and how to destroy such an
/// envelope. One static object per type (envelope_kind_of<T>); an envelope points at it.
struct envelope_kind {
  const std::type_info& type;
  void (*destroy)(envelope*) noexcept;  // runs the payload's destructor, frees the block
  // The payload's request number if it is a method call (see carries_request), else null:
  // a call that becomes a dead letter is answered with an error at once.
  std::uint64_t (*request)(const envelope&) noexcept;
};

/// A message in flight. The payload lives in the derived envelope_of<T>, so sending costs one
/// allocation in all: the message itself. `next` links envelopes inside a mailbox.
///
/// 24 bytes before the payload: the mailbox link, the sender, and one word for the payload's
/// kind (its type and its destructor) with the two flags in its low bits. Why no virtual
/// destructor: its table pointer would be a fourth word in every message, and a backlog of
/// small messages is memory-bound — an int64 message takes a 32-byte block instead of a
/// 48-byte one (fork_join_throughput at 1 worker, 60 mailboxes with backlogs: 41 -> 30
/// ns/msg). So an envelope is destroyed through its kind: destroy_envelope(e), never
/// `delete e` (the destructor is protected, so `delete` on an envelope* does not compile).
struct envelope : small_object {  // from the per-thread slabs (envelope_allocator.hpp)
  envelope(address from, const envelope_kind& kind, bool system) noexcept
      : sender(std::move(from)),
        kind_and_flags_(reinterpret_cast<std::uintptr_t>(&kind) | (system ? system_flag : 0)) {}
  envelope(const envelope&) = delete;
  envelope& operator=(const envelope&) = delete;

  /// Returns the payload's kind (type and destructor).
  const envelope_kind& kind() const noexcept {
    return *reinterpret_cast<const envelope_kind*>(kind_and_flags_ & ~flag_mask);
  }
  /// Returns the exact type of the payload.
  const std::type_info& type() const noexcept { return kind().type; }
  /// True if the runtime must look at it (is_system_message).
  bool system() const noexcept { return (kind_and_flags_ & system_flag) != 0; }
  /// True if sent by (class, id): an exiting recipient passes it on.
  bool routed_by_id() const noexcept { return (kind_and_flags_ & routed_by_id_flag) != 0; }
  void set_routed_by_id(bool routed) noexcept {
    kind_and_flags_ =
        routed ? kind_and_flags_ | routed_by_id_flag : kind_and_flags_ & ~routed_by_id_flag;
  }

  envelope* next = nullptr;  // owned by whichever mailbox holds the envelope
  address sender;            // who sent it; null for messages from outside the system

 protected:
  ~envelope() = default;  // destroy_envelope() knows the most derived type; `delete` would not

 private:
  static constexpr std::uintptr_t system_flag = 1;
  static constexpr std::uintptr_t routed_by_id_flag = 2;
  static constexpr std::uintptr_t flag_mask = system_flag | routed_by_id_flag;
  static_assert(alignof(envelope_kind) > flag_mask, "the flags live in a kind's address");

  std::uintptr_t kind_and_flags_;  // &envelope_kind | flags
};

static_assert(sizeof(envelope) == 3 * sizeof(void*), "an envelope is 24 bytes before its payload");

/// Destroys an envelope of any payload type and frees its block; null does nothing.
inline void destroy_envelope(envelope* e) noexcept {
  if (e) e->kind().destroy(e);
}

template <class T>
struct envelope_of;

template <class T>
void destroy_envelope_of(envelope* e) noexcept {
  delete static_cast<envelope_of<T>*>(e);
}

template <class T>
std::uint64_t request_of(const envelope& e) noexcept;

template <class T>
constexpr auto request_reader() noexcept -> std::uint64_t (*)(const envelope&) noexcept {
  if constexpr (carries_request<T>) {
    return &request_of<T>;
  } else {
    return nullptr;
  }
}

/// The kind every envelope_of<T> points at.
template <class T>
inline constexpr envelope_kind envelope_kind_of{typeid(T), &destroy_envelope_of<T>,
                                                request_reader<T>()};

/// An envelope carrying a T. Moved in, never copied or serialized in-process.
template <class T>
struct envelope_of final : envelope {
  template <class... Args>
  explicit envelope_of(address from, Args&&... args)
      // One flag test per message instead of a type comparison per kind of system message.
      : envelope(std::move(from), envelope_kind_of<T>, is_system_message<T>),
        value(std::forward<Args>(args)...) {}

  T value;
};

template <class T>
std::uint64_t request_of(const envelope& e) noexcept {
  return static_cast<const envelope_of<T>&>(e).value.request();
}

/// Returns the request number of a method call sent by ask or request; 0 for anything else.
inline std::uint64_t request_number(const envelope& e) noexcept {
  const auto read = e.kind().request;
  return read != nullptr ? read(e) : 0;
}

/// Returns true if the envelope holds exactly a T.
///
/// Why not just `e.type() == typeid(T)`: with libstdc++ a type_info comparison that fails runs
/// strcmp on the mangled names (type_info objects are not guaranteed unique across shared
/// objects), and the runtime asks "is it this system message?" several times per system message
/// — strcmp was 6.6 % of skynet. The kind's address settles every match in one binary; a system
/// message type is the runtime's own, created and tested by the one copy of Thespis in the
/// process, so for it a different type_info object means a different type. Other types still
/// get the full comparison, so user types defined in several shared objects keep working.
template <class T>
bool holds(const envelope& e) noexcept {
  if (&e.kind() == &envelope_kind_of<T>) return true;
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
