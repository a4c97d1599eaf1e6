// Hosts a plain object as an actor: any class, no Thespis base class. Included by actor.hpp.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/detail/method_call.hpp"
#include "core/message_meta.hpp"
#include "core/serialization.hpp"
#include "core/troupe.hpp"

namespace thespis {

/// Lists the member functions of a plain-object actor that handle plain messages, one per
/// message type, returned by a static member function (whose body may name members declared
/// anywhere in the class):
/// `static auto handlers() { return thespis::handler_list<&bot::on_chat, &bot::on_presence>{}; }`
/// Each takes the message (by value or reference), optionally followed by a
/// `const message_meta&`. Method calls (`ref.tell(&bot::f, …)`) need no listing.
template <auto... Members>
struct handler_list {};

namespace detail {

template <class T>
concept keeps_state_on_retire = requires {
  typename T::thespis_keep_state_on_retire;
};

template <class T>
concept has_dispose = requires(T& t) {
  t.dispose();
};

/// Passes a plain troupe class's declaration on to its host: creation (make_actor_factory) and
/// the leader look for `troupe` on the hosted class, which for a plain T is object_actor<T>.
template <class T>
struct troupe_declaration {};
template <troupe_actor T>
struct troupe_declaration<T> {
  static constexpr const auto& troupe = T::troupe;
};

/// The actor that hosts a T. The T is built with the framework-owned dependencies its
/// constructor asks for, by signature: `T(context&, args…)`, `T(const address& self, args…)`,
/// or plain `T(args…)`. A T that declares `troupe` is created as a troupe of such hosts, each
/// with its own T (troupe_leader.hpp).
template <class T>
class object_actor final : public actor, public troupe_declaration<T> {
 public:
  using object_type = T;
  static_assert(!(troupe_actor<T> && keeps_state_on_retire<T>),
                "a troupe cannot keep state on retire: its members have no id to keep it "
                "under, and each holds its own object; drop thespis_keep_state_on_retire or "
                "the troupe declaration");

  template <class... Args>
  explicit object_actor(Args&&... args)
      : context_(*this, &typeid(T)), object_(build(context_, self(), std::forward<Args>(args)...)) {
    handle([this](call<T>& c, const address& from) { run(c, from); });
    if constexpr (requires { T::handlers(); }) add_listed(T::handlers());
    if constexpr (keeps_state_on_retire<T>) restore_kept_state();
  }

  ~object_actor() override {
    if constexpr (has_dispose<T>) {
      // The class's clean-up, run in a destructor: an exception from it must not end the
      // process. It is logged as an error, and the actor is gone all the same.
      try {
        object_.dispose();
      } catch (const std::exception& e) {
        log_failed_dispose(e.what());
      } catch (...) {
        log_failed_dispose("an exception not derived from std::exception");
      }
    }
  }

  /// Called by context::call_after() before it arms a wakeup: the first time, installs the
  /// handler that runs timed calls. Only call_after() arms this actor's wakeups, and each
  /// carries a call<T>. Not in the constructor: most objects arm none, and a handler is an entry
  /// in the actor's table (40 bytes: one with no listed handlers takes a 96-byte block instead of
  /// a 48-byte one).
  void accept_timed_calls() {
    if (accepts_timed_calls_) return;
    handle([this](wakeup_message& w) { run_timed(w); });
    accepts_timed_calls_ = true;
  }

  void receive(message& msg, const address& sender) override {
    if constexpr (keeps_state_on_retire<T>) {
      // A retirement (idle exit) keeps the state for the next incarnation of this id.
      if (auto* exit = msg.try_get<actor_exit_request>();
          exit && exit->reason == exit_reason::idle) {
        // A state that fails to save is logged as an error, not thrown: a throw here failed
        // the exit request, which was retried (saving twice) and then went ahead regardless,
        // the state lost without a word.
        try {
          keep_state(serialize_state(object_));
        } catch (const std::exception& e) {
          log_lost_state(e.what());
        } catch (...) {
          log_lost_state("an exception not derived from std::exception");
        }
      }
    }
    actor::receive(msg, sender);
  }

 private:
  void log_failed_dispose(const char* what) noexcept { log_error("dispose() threw: ", what); }
  void log_lost_state(const char* what) noexcept {
    log_error("retiring without its state: saving it threw: ", what);
  }
  void log_error(const char* context, const char* what) noexcept {
    try {
      log(log_level::error, std::string(context) + what);
    } catch (...) {  // the log sink failed too: nothing left to tell
    }
  }
  template <class... Args>
  static T build(context& ctx, const address& self, Args&&... args) {
    if constexpr (std::is_constructible_v<T, context&, Args&&...>) {
      return T(ctx, std::forward<Args>(args)...);
    } else if constexpr (std::is_constructible_v<T, const address&, Args&&...> &&
                         !std::is_constructible_v<T, Args&&...>) {
      return T(self, std::forward<Args>(args)...);
    } else {
      static_assert(std::is_constructible_v<T, Args&&...>,
                    "no constructor of the actor class takes these arguments (optionally "
                    "preceded by thespis::context& or const thespis::address& self)");
      return T(std::forward<Args>(args)...);
    }
  }

  void run(call<T>& c, const address& from) {
    message reply = c.body->invoke(object_, message_meta{from, self()});
    if (reply) send(from, std::move(reply));
  }

  // A call_after() came due: a told call from the actor itself, whose result is dropped.
  void run_timed(wakeup_message& w) {
    call<T>* c = w.payload.template try_get<call<T>>();
    if (c == nullptr || !c->body) return;  // cannot happen: see the constructor
    (void)c->body->invoke(object_, message_meta{self(), self()});
  }

  template <auto... Members>
  void add_listed(handler_list<Members...>) {
    (add_member<Members>(), ...);
  }

  template <auto Member>
  void add_member() {
    add_member_of<Member>(Member);
  }
  template <auto Member, class C, class R, class M, class... Meta>
  void add_member_of(R (C::*)(M, Meta...)) {
    static_assert(
        sizeof...(Meta) == 0 || (std::is_same_v<std::remove_cvref_t<Meta>, message_meta> && ...),
        "a listed handler takes (message) or (message, const message_meta&)");
    handle([this](M msg, const address& from) {
      if constexpr (sizeof...(Meta) == 0) {
        (object_.*Member)(std::forward<M>(msg));
      } else {
        (object_.*Member)(std::forward<M>(msg), message_meta{from, self()});
      }
    });
  }

  void restore_kept_state() {
    if (auto state = take_kept_state()) deserialize_state(object_, *state);
  }

  bool accepts_timed_calls_ = false;  // before object_: its constructor may arm a call
  context context_;
  T object_;
};

}  // namespace detail
}  // namespace thespis
