// Typed references: send method calls to an actor of a known class, by address or by id.
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "core/address.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/method_call.hpp"
#include "core/detail/saturating_duration.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"

namespace thespis {

class actor;

/// True for a class whose actors take method calls: a plain object, which the system wraps in
/// an actor that runs the calls. An `actor` subclass takes messages through its handlers only:
/// it would drop a call as unhandled (a tell lost, an ask timing out), so a method call through
/// an actor_ref to one does not compile. Plain messages go to either kind.
template <class T>
concept takes_method_calls = !std::is_base_of_v<actor, T>;

/// A reply to `actor_ref::request`, to be handled inside the asking actor.
template <class R>
class pending_reply {
 public:
  pending_reply(detail::send_port port, std::uint64_t request, std::chrono::nanoseconds timeout)
      : port_(port), request_(request), timeout_(timeout) {}

  /// Runs on_value(result) — on_value() for a void method — in the asking actor when the reply
  /// arrives, or on_error(exception_ptr) if the method threw or no reply came within the
  /// timeout (actor_system_request_timeout). Only from inside the asking actor, once (a second
  /// then() for the same request throws std::logic_error), and in the handler that made the
  /// request: a then() after that handler returned throws std::logic_error too (a reply that
  /// came in between was a dead letter).
  template <class OnValue, class OnError>
  void then(OnValue on_value, OnError on_error) {
    port_.expect_reply(request_, timeout_,
                       [on_value = std::move(on_value),
                        on_error = std::move(on_error)](detail::call_reply& reply) mutable {
                         if (reply.error) return on_error(reply.error);
                         if constexpr (std::is_void_v<R>) {
                           on_value();
                         } else if constexpr (std::is_same_v<R, message>) {
                           on_value(std::move(reply.value));  // any answer, as it came
                         } else {
                           on_value(reply.value.template take<R>());
                         }
                       });
  }

  /// Like then(on_value, on_error), with errors logged as warnings by the asking actor (not a
  /// failure: a supervised actor is not restarted for them).
  template <class OnValue>
  void then(OnValue on_value) {
    then(std::move(on_value),
         [](const std::exception_ptr& e) { throw detail::unhandled_request_error{e}; });
  }

 private:
  detail::send_port port_;
  std::uint64_t request_;
  std::chrono::nanoseconds timeout_;
};

/// A reference to an actor of class T, bound to who sends through it: a reference from the
/// system (`sys.ref<T>(a)`, `sys.by_id<T>(id)`) sends from outside, one made by an actor sends as
/// that actor and may only be used inside it. Routes by address, or by (T, id): then each
/// message goes to the live actor with that id, created on demand by T's director.
/// Cheap to copy. Member functions are checked at compile time against T, and only a plain
/// object's can be called (see takes_method_calls).
template <class T>
class actor_ref {
 public:
  actor_ref() = default;
  actor_ref(detail::send_port port, detail::destination to) : port_(port), to_(std::move(to)) {}

  /// Runs `(actor.*fn)(args…)` on the actor, asynchronously, as an ordinary message (ordering,
  /// dead letters and failure handling as for any message). Arguments are copied or moved in.
  template <class Fn, class... Args>
  requires takes_method_calls<T> && detail::method_of<T, Fn, Args...>
  void tell(Fn fn, Args&&... args) const {
    port_.post(to_, detail::make_call<T>(fn, 0, std::forward<Args>(args)...));
  }

  /// Sends a plain message to the actor.
  template <class M>
  requires(!std::is_member_function_pointer_v<std::remove_cvref_t<M>>) void tell(M&& msg) const {
    port_.post(to_, detail::make_envelope(thespis::address{}, std::forward<M>(msg)));
  }

  /// Outside code only: runs `(actor.*fn)(args…)` and waits up to `timeout` for its result.
  /// Returns the result (nothing for a void method: it returns once the call ran); rethrows an
  /// exception the method threw; throws actor_system_request_timeout on timeout,
  /// invalid_actor_address when no live actor of the class took the call, system_shut_down once
  /// the system has shut down.
  template <class Fn, class Rep, class Period, class... Args>
  requires takes_method_calls<T> && detail::method_of<T, Fn, Args...>
  auto ask(Fn fn, std::chrono::duration<Rep, Period> timeout, Args&&... args) const {
    using result = std::remove_cvref_t<detail::method_result<T, Fn, Args...>>;
    const auto wait = detail::saturating_ns(timeout);
    detail::asked asked = port_.ask(
        to_, detail::make_call<T>(fn, port_.next_request(), std::forward<Args>(args)...), wait);
    message& reply = asked.reply;
    if (!reply) throw_no_reply(asked.failure, wait);
    if (!reply.is<detail::call_reply>()) throw_unexpected(reply);
    auto answer = reply.take<detail::call_reply>();
    if (answer.error) std::rethrow_exception(answer.error);
    if constexpr (!std::is_void_v<result>) return answer.value.template take<result>();
  }

  /// Inside an actor only: runs `(actor.*fn)(args…)` on the target; the result comes back to
  /// this actor through the returned pending_reply's then(). Never blocks. Through a reference
  /// for outside code it throws std::logic_error and sends nothing.
  template <class Fn, class Rep, class Period, class... Args>
  requires takes_method_calls<T> && detail::method_of<T, Fn, Args...>
  auto request(Fn fn, std::chrono::duration<Rep, Period> timeout, Args&&... args) const {
    using result = std::remove_cvref_t<detail::method_result<T, Fn, Args...>>;
    // Refused before the call is sent: from outside, then() would throw after the method had
    // run, and its reply went to listen() as a system message nobody could read.
    port_.require_actor_for_request();
    const std::uint64_t request = port_.next_request();
    port_.post(to_, detail::make_call<T>(fn, request, std::forward<Args>(args)...));
    return pending_reply<result>(port_, request, detail::saturating_ns(timeout));
  }

  /// Returns the address this reference sends to; null for a reference by id.
  const thespis::address& address() const noexcept { return to_.to; }
  /// Returns the id this reference routes by; "" for a reference by address or to a singleton.
  const std::string& id() const noexcept { return to_.id; }
  /// Returns true if it routes by (class, id).
  bool by_id() const noexcept { return to_.by_id(); }

 private:
  [[noreturn]] void throw_no_reply(ask_failure failure, std::chrono::nanoseconds waited) const {
    const std::string asked = "ask of " + detail::type_name(typeid(T)) + " at " + where() + ": ";
    switch (failure) {
      case ask_failure::shut_down:
        throw system_shut_down(asked + detail::no_reply_reason(failure, waited));
      case ask_failure::dead_letter:
      case ask_failure::unhandled:  // a method call's: the actor there is of another class
        throw invalid_actor_address(asked + "no live actor of that class took the call");
      case ask_failure::timed_out:
        break;
    }
    throw actor_system_request_timeout(asked + detail::no_reply_reason(failure, waited));
  }
  [[noreturn]] void throw_unexpected(const message& reply) const {
    throw bad_message_cast(detail::type_name(reply.type()),
                           "the result of a method of " + detail::type_name(typeid(T)));
  }
  std::string where() const { return to_.by_id() ? "id \"" + to_.id + "\"" : to_.to.to_string(); }

  detail::send_port port_;  // unbound in a default-constructed reference
  detail::destination to_;
};

}  // namespace thespis
