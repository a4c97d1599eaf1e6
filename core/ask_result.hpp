// What an outside ask returns: the reply, or why none came.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "core/message.hpp"

namespace thespis {

/// Why an outside ask (actor_system::ask) returned no reply.
enum class ask_failure : std::uint8_t {
  /// No reply within the timeout. The request may still be handled later; a reply that comes
  /// then is a dead letter.
  timed_out,
  /// The request became a dead letter: no live actor at the address (it exited, or never
  /// was), a null address, or no actor for the id. Counted in dead_letter_count().
  dead_letter,
  /// The receiver has no handler for the request's type and dropped it (counted in
  /// unhandled_count). Handlers match exact types: an `unsigned` is not an `int`.
  unhandled,
  /// The system shut down before a reply came (or had, before the ask): nothing can answer.
  shut_down,
};

/// Returns the failure's name: "timed out", "dead letter", "unhandled", "shut down".
constexpr const char* to_string(ask_failure failure) noexcept {
  switch (failure) {
    case ask_failure::timed_out:
      return "timed out";
    case ask_failure::dead_letter:
      return "dead letter";
    case ask_failure::unhandled:
      return "unhandled";
    case ask_failure::shut_down:
      return "shut down";
  }
  return "unknown";
}

namespace detail {
/// Why an ask got no reply, worded for an error's text ("no reply within 200 ms", "a dead
/// letter: no live actor took it", ...): the one wording of actor_system::ask's description and
/// a typed reference's exceptions. `waited` is the ask's timeout.
std::string no_reply_reason(ask_failure failure, std::chrono::nanoseconds waited);
/// A timeout as written in errors: in the largest unit that states it exactly ("200 ms",
/// "500 us", "1500 us", "250 ns"), so that a sub-millisecond timeout does not read "0 ms".
std::string timeout_text(std::chrono::nanoseconds timeout);
}  // namespace detail

/// The reply to an outside ask — used like std::optional<R> (`if (r)`, `*r`, `r->`,
/// `value_or`) — or, when there is none, why: failure() and description(). value() throws the
/// failure as the matching exception (actor_system_request_timeout, invalid_actor_address,
/// system_shut_down), so `sys.ask<R>(a, m, t).value()` reads as a call that returns or throws.
template <class R>
class [[nodiscard]] ask_result {
 public:
  using value_type = R;

  /// A reply.
  ask_result(R reply) : reply_(std::move(reply)) {}  // NOLINT: converts by design
  /// No reply, and why; `description` says what was asked of whom.
  ask_result(ask_failure failure, std::string description)
      : failure_(failure), description_(std::move(description)) {}

  /// Returns true if the reply came.
  bool has_value() const noexcept { return reply_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  R& operator*() & noexcept { return *reply_; }
  const R& operator*() const& noexcept { return *reply_; }
  R&& operator*() && noexcept { return std::move(*reply_); }
  R* operator->() noexcept { return &*reply_; }
  const R* operator->() const noexcept { return &*reply_; }

  /// Returns the reply; without one throws why: actor_system_request_timeout (timed out),
  /// invalid_actor_address (a dead letter, or dropped unhandled), system_shut_down.
  R& value() & { return checked(), *reply_; }
  const R& value() const& { return checked(), *reply_; }
  R&& value() && { return checked(), std::move(*reply_); }
  template <class U>
  requires std::copy_constructible<R> R value_or(U&& fallback)
  const& { return reply_ ? *reply_ : static_cast<R>(std::forward<U>(fallback)); }
  template <class U>
  R value_or(U&& fallback) && {
    return reply_ ? std::move(*reply_) : static_cast<R>(std::forward<U>(fallback));
  }

  /// Why no reply came. Meaningful only without one (timed_out otherwise).
  ask_failure failure() const noexcept { return failure_; }
  /// Without a reply: what was asked of whom, and why no reply came, for a log line or an
  /// error. Empty with a reply.
  const std::string& description() const noexcept { return description_; }

  /// For code written against std::optional<R>.
  operator std::optional<R>() const& requires std::copy_constructible<R> {  // NOLINT: by design
    return reply_;
  }
  operator std::optional<R>() && { return std::move(reply_); }  // NOLINT: converts by design

  // Compared as std::optional<R> compares: empty equals empty, whatever the failure.
  friend bool operator==(const ask_result& r, std::nullopt_t) noexcept { return !r.has_value(); }
  friend bool operator==(const ask_result& a, const ask_result& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
  }
  template <class U>
  friend bool operator==(const ask_result& r, const std::optional<U>& o) {
    return r.has_value() == o.has_value() && (!r || *r == *o);
  }
  // Spelled out, not left to the rewritten form above: std's optional == value would win.
  template <class U>
  friend bool operator==(const std::optional<U>& o, const ask_result& r) {
    return r == o;
  }
  // Not a template: a template's reversed form matched any right-hand side, Catch's expression
  // wrapper too, and `CHECK(std::optional<int>(5) == r)` failed to compile with clang.
  friend bool operator==(const ask_result& r, const R& value) {
    return r.has_value() && *r == value;
  }

 private:
  void checked() const {
    if (reply_) return;
    switch (failure_) {
      case ask_failure::timed_out:
        throw actor_system_request_timeout(description_);
      case ask_failure::dead_letter:
      case ask_failure::unhandled:
        throw invalid_actor_address(description_);
      case ask_failure::shut_down:
        throw system_shut_down(description_);
    }
    throw actor_system_failure(description_);
  }

  std::optional<R> reply_;
  ask_failure failure_ = ask_failure::timed_out;
  std::string description_;  // only without a reply: the reply path allocates nothing more
};

namespace detail {

/// What a base's ask returns: the reply, or (empty) why none came.
struct asked {
  message reply;
  ask_failure failure = ask_failure::timed_out;
};

}  // namespace detail

}  // namespace thespis
