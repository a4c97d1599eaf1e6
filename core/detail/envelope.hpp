// The unit a mailbox holds: one message plus its sender, in a single allocation.
#pragma once

#include <cstddef>
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
struct envelope {
  envelope(address from, const std::type_info& t) noexcept : sender(std::move(from)), type(&t) {}
  virtual ~envelope() = default;
  envelope(const envelope&) = delete;
  envelope& operator=(const envelope&) = delete;

  // Envelopes come from a per-thread cache (envelope_allocator.hpp). The virtual destructor
  // makes `delete` pass the most derived type's size. Over-aligned payloads bypass the cache.
  static void* operator new(std::size_t size) { return allocate_envelope(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_envelope(p, size); }
  static void* operator new(std::size_t size, std::align_val_t a) {
    return ::operator new(size, a);
  }
  static void operator delete(void* p, std::size_t size, std::align_val_t a) noexcept {
    (void)size;
    ::operator delete(p, a);
  }

  envelope* next = nullptr;    // owned by whichever mailbox holds the envelope
  address sender;              // who sent it; null for messages from outside the system
  const std::type_info* type;  // exact type of the payload
  bool system = false;         // the runtime must look at it (is_system_message)
  bool routed_by_id = false;   // sent by (class, id): an exiting recipient passes it on
};

/// An envelope carrying a T. Moved in, never copied or serialized in-process.
template <class T>
struct envelope_of final : envelope {
  template <class... Args>
  explicit envelope_of(address from, Args&&... args)
      : envelope(std::move(from), typeid(T)), value(std::forward<Args>(args)...) {
    // One flag test per message instead of a type comparison per kind of system message.
    system = is_system_message<T>;
  }
  T value;
};

/// Returns true if the envelope holds exactly a T.
///
/// Why not just `*e->type == typeid(T)`: with libstdc++ a type_info comparison that fails runs
/// strcmp on the mangled names (type_info objects are not guaranteed unique across shared
/// objects), and the runtime asks "is it this system message?" several times per system message
/// — strcmp was 6.6 % of skynet. The pointer test settles every match in one binary; a system
/// message type is the runtime's own, created and tested by the one copy of Thespis in the
/// process, so for it a different type_info object means a different type. Other types still
/// get the full comparison, so user types defined in several shared objects keep working.
template <class T>
bool holds(const envelope& e) noexcept {
  if (e.type == &typeid(T)) return true;
  if constexpr (is_system_message<T>) {
    return false;
  } else {
    return *e.type == typeid(T);
  }
}

/// Returns the payload if the envelope holds exactly a T, else nullptr.
template <class T>
T* payload_if(envelope* e) noexcept {
  return (e && holds<T>(*e)) ? &static_cast<envelope_of<T>*>(e)->value : nullptr;
}

}  // namespace thespis::detail
