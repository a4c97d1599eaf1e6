// Typed method-call messages: `ref.tell(&counter::add, 5)` travels as a call<counter> that runs
// `add(5)` on the actor, in order with its other messages.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/detail/make_envelope.hpp"
#include "core/message.hpp"
#include "core/message_meta.hpp"

namespace thespis::detail {

/// What every method call carries whatever its class: the asker's number for the reply.
struct invocation_base {
  explicit invocation_base(std::uint64_t request) noexcept : request(request) {}
  const std::uint64_t request;  // 0 for a tell
};

/// A method call on a T, type-erased over the method and its arguments.
template <class T>
struct invocation : invocation_base {
  using invocation_base::invocation_base;
  virtual ~invocation() = default;
  /// Runs the call on `object`. A tell lets exceptions propagate (the actor's failure handling
  /// applies); an ask catches them and returns them in the reply. Returns the reply to send
  /// back for an ask, else an empty message.
  virtual message invoke(T& object, const message_meta& meta) = 0;
};

/// The message a method call travels as. Its exact type names the recipient class, so a call
/// can only be handled by an actor of that class.
template <class T>
struct call {
  using thespis_method_call = void;
  std::unique_ptr<invocation<T>> body;
  /// The asker's number for the reply; 0 for a tell. (In the body, not here: a call's envelope
  /// stays a 32-byte block.)
  std::uint64_t request() const noexcept { return body ? body->request : 0; }
};

/// Thrown by then(on_value)'s default error handler: the request's error, to be logged by the
/// asking actor — not a failure of its own (supervision does not restart it for a timeout).
struct unhandled_request_error {
  std::exception_ptr error;
};

/// The answer to a method-call ask: the method's result as a message (empty for void), or the
/// exception it threw, or — for an ask from an actor — a timeout.
struct call_reply {
  using thespis_system_message = void;  // an asking actor's runtime routes it to the request
  std::uint64_t request = 0;
  message value;
  std::exception_ptr error;
  // Made by the system, not an answer — the asking actor's own timeout, or the news that the
  // call became a dead letter: one that finds nobody waiting is dropped, never a dead letter.
  bool from_system = false;
};

// How a call passes its stored arguments: as lvalues where the method accepts them, so that the
// retry after an exception sees the same arguments; moved only for move-only parameters.
template <class Fn, class T, class... Stored>
inline constexpr bool takes_lvalues = std::is_invocable_v<Fn, T&, Stored&...> ||
                                      std::is_invocable_v<Fn, T&, Stored&..., const message_meta&>;
template <class Fn, class T, class... Stored>
inline constexpr bool takes_meta =
    takes_lvalues<Fn, T, Stored...>
        ? std::is_invocable_v<Fn, T&, Stored&..., const message_meta&> &&
              !std::is_invocable_v<Fn, T&, Stored&...>
        : std::is_invocable_v<Fn, T&, Stored&&..., const message_meta&>;

/// True if fn is a member function that can be called on a T with args, with or without a
/// trailing message_meta.
template <class T, class Fn, class... Args>
concept method_of = std::is_member_function_pointer_v<Fn> &&
    (takes_lvalues<Fn, T, std::decay_t<Args>...> ||
     std::is_invocable_v<Fn, T&, std::decay_t<Args>&&...> ||
     std::is_invocable_v<Fn, T&, std::decay_t<Args>&&..., const message_meta&>);

/// The class a member function pointer belongs to: `counter` for `&counter::add`, whatever the
/// function's qualifiers (a pointer to member function is `F C::*` with F the function type).
template <class Fn>
struct member_class;
template <class F, class C>
struct member_class<F C::*> {
  using type = C;
};
template <class Fn>
using member_class_t = typename member_class<Fn>::type;

/// Calls fn on object with the stored arguments (see takes_lvalues) and meta if it wants it.
template <class Fn, class T, class... Stored>
decltype(auto) call_method(Fn fn, T& object, std::tuple<Stored...>& args,
                           const message_meta& meta) {
  return std::apply(
      [&](auto&... a) -> decltype(auto) {
        constexpr bool lvalues = takes_lvalues<Fn, T, Stored...>;
        if constexpr (takes_meta<Fn, T, Stored...>) {
          if constexpr (lvalues) {
            return std::invoke(fn, object, a..., meta);
          } else {
            return std::invoke(fn, object, std::move(a)..., meta);
          }
        } else if constexpr (lvalues) {
          return std::invoke(fn, object, a...);
        } else {
          return std::invoke(fn, object, std::move(a)...);
        }
      },
      args);
}

/// What fn returns when called on a T with args.
template <class T, class Fn, class... Args>
using method_result = decltype(call_method(std::declval<Fn>(), std::declval<T&>(),
                                           std::declval<std::tuple<std::decay_t<Args>...>&>(),
                                           std::declval<const message_meta&>()));

template <class T, class Fn, class... Args>
class bound_call final : public invocation<T> {
 public:
  template <class... In>
  bound_call(Fn fn, std::uint64_t request, In&&... in)
      : invocation<T>(request), fn_(fn), args_(std::forward<In>(in)...) {}

  message invoke(T& object, const message_meta& meta) override {
    if (this->request == 0) {
      (void)run(object, meta);
      return {};
    }
    call_reply reply{this->request, {}, {}};
    try {
      if constexpr (std::is_void_v<result>) {
        run(object, meta);
      } else {
        reply.value = message(make_envelope(address{}, run(object, meta)));
      }
    } catch (...) {
      reply.error = std::current_exception();
    }
    return message(make_envelope(address{}, std::move(reply)));
  }

 private:
  using result = method_result<T, Fn, Args...>;

  decltype(auto) run(T& object, const message_meta& meta) {
    return call_method(fn_, object, args_, meta);
  }

  Fn fn_;
  std::tuple<Args...> args_;
};

/// Returns the envelope of a call of fn(args...) on a T; `request` is 0 for a tell.
template <class T, class Fn, class... Args>
envelope* make_call(Fn fn, std::uint64_t request, Args&&... args) {
  return make_envelope(address{},
                       call<T>{std::make_unique<bound_call<T, Fn, std::decay_t<Args>...>>(
                           fn, request, std::forward<Args>(args)...)});
}

}  // namespace thespis::detail
