// One handler per message type, for actors that dispatch by type (Thespian's
// ActorTypeDispatcher). Handlers are looked up by the payload's exact type.
#pragma once

#include <functional>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/address.hpp"
#include "core/message.hpp"

namespace thespis::detail {

template <class F>
struct callable_traits : callable_traits<decltype(&F::operator())> {};
template <class C, class R, class... Args>
struct callable_traits<R (C::*)(Args...) const> {
  using args = std::tuple<Args...>;
};
template <class C, class R, class... Args>
struct callable_traits<R (C::*)(Args...)> {
  using args = std::tuple<Args...>;
};

/// Maps payload types to handlers. Owned and used by one actor only.
class handler_table {
 public:
  /// Adds f, whose first parameter names the message type (T, const T&, T& or T&&) and whose
  /// optional second parameter receives the sender (const address&). A later handler for the
  /// same type replaces the earlier one.
  template <class F>
  void add(F&& f) {
    using args = typename callable_traits<std::decay_t<F>>::args;
    static_assert(std::tuple_size_v<args> == 1 || std::tuple_size_v<args> == 2,
                  "a handler takes (message) or (message, const address& sender)");
    using param = std::tuple_element_t<0, args>;
    using value_type = std::remove_cvref_t<param>;
    constexpr bool wants_sender = std::tuple_size_v<args> == 2;
    auto call = [fn = std::forward<F>(f)](message& m, const address& from) mutable {
      auto& value = *m.try_get<value_type>();
      // By-value and rvalue parameters take the payload by move; references bind to it.
      auto&& arg = [&]() -> decltype(auto) {
        if constexpr (std::is_lvalue_reference_v<param>)
          return (value);
        else
          return std::move(value);
      }();
      if constexpr (wants_sender) {
        fn(std::forward<decltype(arg)>(arg), from);
      } else {
        fn(std::forward<decltype(arg)>(arg));
      }
    };
    insert(typeid(value_type), std::move(call));
  }

  /// Runs the handler for m's type; returns false if there is none.
  bool dispatch(message& m, const address& from) {
    const std::type_info& type = m.type();
    // Identity first: a failed type_info comparison costs a strcmp (see detail::holds), so the
    // full comparison runs only when no handler's type_info is the very same object.
    for (auto& h : handlers_) {
      if (h.type == &type) {
        h.fn(m, from);
        return true;
      }
    }
    for (auto& h : handlers_) {
      if (*h.type == type) {
        h.fn(m, from);
        return true;
      }
    }
    return false;
  }

 private:
  struct entry {
    const std::type_info* type;
    std::function<void(message&, const address&)> fn;
  };
  void insert(const std::type_info& t, std::function<void(message&, const address&)> fn) {
    for (auto& h : handlers_) {
      if (*h.type == t) {
        h.fn = std::move(fn);
        return;
      }
    }
    handlers_.push_back(entry{&t, std::move(fn)});
  }

  std::vector<entry> handlers_;
};

}  // namespace thespis::detail
