// A received message: an owning, type-erased handle to one payload of any movable type.
#pragma once

#include <string>
#include <typeinfo>
#include <utility>

#include "core/detail/envelope.hpp"
#include "core/errors.hpp"

namespace thespis {

/// Owns one message of some movable type. Handlers inspect it by exact type with is<T>() and
/// get<T>(), or move the payload out with take<T>(). Moving a `message` moves the payload's
/// ownership without touching the payload. Not thread-safe; owned by one actor at a time.
class message {
 public:
  message() noexcept = default;
  explicit message(detail::envelope* e) noexcept : env_(e) {}
  message(message&& o) noexcept : env_(std::exchange(o.env_, nullptr)) {}
  message& operator=(message&& o) noexcept {
    std::swap(env_, o.env_);
    return *this;
  }
  ~message() { detail::destroy_envelope(env_); }

  /// Returns true if this holds a message.
  explicit operator bool() const noexcept { return env_ != nullptr; }

  /// Returns true if the payload's type is exactly T.
  template <class T>
  bool is() const noexcept {
    return detail::payload_if<T>(env_) != nullptr;
  }

  /// Returns the payload as T, or nullptr if it is of another type.
  template <class T>
  T* try_get() noexcept {
    return detail::payload_if<T>(env_);
  }
  template <class T>
  const T* try_get() const noexcept {
    return detail::payload_if<T>(env_);
  }

  /// Returns the payload as T; throws bad_message_cast if it is of another type.
  template <class T>
  T& get() {
    if (auto* p = try_get<T>()) return *p;
    throw_bad_cast(typeid(T));
  }
  template <class T>
  const T& get() const {
    return const_cast<message*>(this)->get<T>();
  }

  /// Moves the payload out as T; throws bad_message_cast if it is of another type.
  template <class T>
  T take() {
    return std::move(get<T>());
  }

  /// Returns the payload's exact type.
  const std::type_info& type() const noexcept { return env_ ? env_->type() : typeid(void); }

  /// Returns a readable name of the payload's type (demangled where possible).
  std::string type_name() const;

  /// Throws bad_message_cast for reading this message as `wanted`: both types readable, and a
  /// poison message's error, since that is what a typed ask gets when the asked handler threw.
  [[noreturn]] void throw_bad_cast(const std::type_info& wanted) const;

  /// Returns the envelope, still owned by this message; for the runtime (serialization).
  const detail::envelope* view() const noexcept { return env_; }

  /// Gives up ownership of the envelope; for the runtime (forwarding without a copy).
  detail::envelope* release() noexcept { return std::exchange(env_, nullptr); }

 private:
  detail::envelope* env_ = nullptr;
};

}  // namespace thespis
