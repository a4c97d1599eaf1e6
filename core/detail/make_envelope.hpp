#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/detail/envelope.hpp"
#include "core/message.hpp"

namespace thespis::detail {

/// Wraps a message for sending. A `thespis::message` is forwarded as is (its envelope is reused,
/// only the sender changes); any other value is moved (or copied, if an lvalue) into a new
/// envelope. An empty `message` (one already sent or taken) throws std::invalid_argument: sending
/// nothing is a mistake, and dropping it silently would hide a lost message.
template <class T>
envelope* make_envelope(address from, T&& msg) {
  using value_type = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<value_type, message>) {
    static_assert(!std::is_lvalue_reference_v<T>, "forward a received message with std::move");
    envelope* e = msg.release();
    if (e == nullptr) {
      throw std::invalid_argument(
          "thespis: sending an empty message (a thespis::message already sent or taken?)");
    }
    e->sender = std::move(from);
    // It arrived by id, perhaps; it leaves by address unless the sender routes it by id again
    // (which sets the flag anew): an exiting recipient must not pass it on to an id.
    e->set_routed_by_id(false);
    return e;
  } else {
    static_assert(!std::is_array_v<value_type>,
                  "an array is not a message: send a std::string for a string literal, a "
                  "std::vector or std::array for an array");
    static_assert(std::is_move_constructible_v<value_type>, "messages must be movable");
    return new envelope_of<value_type>(std::move(from), std::forward<T>(msg));
  }
}

}  // namespace thespis::detail
