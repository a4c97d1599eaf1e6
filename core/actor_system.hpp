// The entry point for code outside the actors: creates actors, talks to them, shuts down.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/actor.hpp"
#include "core/actor_ref.hpp"
#include "core/actor_type_registry.hpp"
#include "core/address.hpp"
#include "core/ask_result.hpp"
#include "core/detail/make_envelope.hpp"
#include "core/detail/saturating_duration.hpp"
#include "core/detail/system_base.hpp"
#include "core/message.hpp"
#include "core/requirements.hpp"
#include "core/shutdown_report.hpp"
#include "core/system_config.hpp"

namespace thespis {

/// An actor system. `actor_system sys;` runs the threaded base with one worker per hardware
/// thread; `actor_system sys{system_config{.base = "simple"}};` runs everything synchronously on
/// the caller's thread, for tests. The destructor shuts the system down and always returns; if an
/// actor is stuck in a handler past the shutdown deadline, the system's memory is freed in the
/// background once that actor has exited.
/// Thread-safe on the threaded base; the simple base must be driven from one thread.
class actor_system {
 public:
  actor_system();
  explicit actor_system(system_config config);
  ~actor_system();
  actor_system(const actor_system&) = delete;
  actor_system& operator=(const actor_system&) = delete;

  /// Creates a top-level actor A(args...) and returns its address. The constructor runs before
  /// this returns; if it throws, so does create_actor.
  template <class A, class... Args>
  requires std::derived_from<A, actor> &&(!detail::starts_with_option<Args...>)address
      create_actor(Args&&... args) {
    return base_->spawn(detail::make_actor_factory<A>(std::forward<Args>(args)...));
  }

  /// Creates a top-level actor hosting a plain object A(args...) (any class: no Thespis base
  /// needed) and returns a typed reference for outside code. Constructor errors propagate.
  template <class A, class... Args>
  requires(!std::derived_from<A, actor> &&
           !detail::starts_with_option<Args...>) actor_ref<A> create_actor(Args&&... args) {
    return ref<A>(base_->spawn(
        detail::make_actor_factory<detail::object_actor<A>>(std::forward<Args>(args)...)));
  }

  /// Returns a typed reference to `to` (an actor of class A) for outside code.
  template <class A>
  actor_ref<A> ref(const address& to) {
    return actor_ref<A>(*base_, detail::destination{to, nullptr, {}});
  }

  /// Returns a reference, for outside code, to the actor of class A with `id`: each message
  /// goes to the live actor with that id; if there is none, A's director (set_director) gets a
  /// spawn_request and the message waits, in order, for the actor it creates; with no director,
  /// or if it declines, the messages become dead letters. The sender need not know which.
  template <class A>
  actor_ref<A> by_id(std::string id) {
    return actor_ref<A>(*base_, detail::destination{address{}, &typeid(A), std::move(id)});
  }

  /// Returns a reference to the one actor of class A (a singleton: id "").
  template <class A>
  actor_ref<A> by_type() {
    return by_id<A>(std::string());
  }

  /// Creates A(args...) as a top-level actor bound to `id` (use "" for a singleton), unless an
  /// A with that id is live: then returns that one. An address for an actor class, a typed
  /// reference for a plain object.
  template <class A, class... Args>
  auto create_with_id(std::string id, Args&&... args) {
    address a = base_->spawn_with_id(
        typeid(A), std::move(id),
        detail::make_actor_factory<detail::hosted_t<A>>(std::forward<Args>(args)...));
    return detail::as_created<A>(*base_, std::move(a));
  }

  /// Makes `director` (an actor) the director of class A: it receives a spawn_request for each
  /// id of A that is sent a message while no actor has it. A null address removes it; so does
  /// the director's exit.
  template <class A>
  void set_director(const address& director) {
    base_->set_director(typeid(A), director);
  }

  /// Returns the actor named `name`, whatever its class, or creates A(args...) under that name.
  /// Concurrent calls with one name create one actor.
  template <class A, class... Args>
  requires std::derived_from<A, actor> address create_actor(global_name name, Args&&... args) {
    return base_->spawn_named(std::move(name.value),
                              detail::make_actor_factory<A>(std::forward<Args>(args)...));
  }

  /// Creates a top-level actor A(args...) that must also meet `more`; throws
  /// no_compatible_system_for_actor if the system's capabilities fall short.
  template <class A, class... Args>
  requires std::derived_from<A, actor> address create_actor(const requirements& more,
                                                            Args&&... args) {
    return base_->spawn(detail::make_actor_factory_requiring<A>(more, std::forward<Args>(args)...));
  }

  /// Creates a top-level actor of a registered type name; throws invalid_actor_specification.
  address create_actor(std::string_view type_name);

  /// Sends msg to `to` from outside the system. The receiver sees the outside caller's address as
  /// sender; what it sends there is read with listen(). The simple base returns once everything
  /// the message caused has run.
  template <class T>
  void tell(const address& to, T&& msg) {
    base_->tell(to, detail::make_envelope(address{}, std::forward<T>(msg)));
  }

  /// Sends msg to `to` and waits up to `timeout` for the first message sent back to the sender.
  /// Returns the reply, or — at once when no reply can come — why there is none
  /// (ask_result::failure(): timed out, a dead letter, dropped unhandled, the system shut down);
  /// never waits longer than `timeout`. The result reads as a std::optional<message>.
  /// For outside code: from inside one of this system's actors it throws std::logic_error (the
  /// asked actor may be waiting for the very worker the ask would block; use a request).
  /// (The leading `int...` keeps `ask<Reply>(...)` from selecting this overload.)
  template <int..., class T, class Rep, class Period>
  ask_result<message> ask(const address& to, T&& msg, std::chrono::duration<Rep, Period> timeout) {
    const std::type_info& asked = asked_type(msg);  // before msg moves into the envelope
    auto* env = detail::make_envelope(address{}, std::forward<T>(msg));
    const auto wait = detail::saturating_ns(timeout);
    detail::asked answer = base_->ask(detail::destination{to, nullptr, {}}, env, wait);
    if (answer.reply) return std::move(answer.reply);
    return {answer.failure, describe_no_reply(asked, to, answer.failure, wait)};
  }

  /// Returns the oldest message actors sent to the outside caller (replies to tells, poison
  /// messages), waiting up to `timeout`; std::nullopt on timeout. System messages other than
  /// poison_message and status replies never arrive here. The simple base does not wait.
  /// For outside code: from inside one of this system's actors it throws std::logic_error.
  template <class Rep, class Period>
  std::optional<message> listen(std::chrono::duration<Rep, Period> timeout) {
    message m = base_->listen(detail::saturating_ns(timeout));
    if (!m) return std::nullopt;
    return m;
  }

  /// Like ask(), but expects a reply of type R: returns it (or why none came), and throws
  /// bad_message_cast if the reply is of another type.
  template <class R, class T, class Rep, class Period>
  ask_result<R> ask(const address& to, T&& msg, std::chrono::duration<Rep, Period> timeout) {
    auto reply = ask(to, std::forward<T>(msg), timeout);
    if (!reply) return {reply.failure(), reply.description()};
    return reply->template take<R>();
  }

  /// Sends a recursive actor_exit_request to every live actor, waits up to the configured
  /// shutdown timeout for them to finish, and stops. Never hangs: actors still alive at the
  /// deadline are listed in the report with the reason (busy in a handler, waiting for their
  /// children, waiting for a worker) and logged as warnings. Idempotent: a repeated call returns
  /// the first report. Thread-safe. From inside one of the system's actors it cannot wait (the
  /// caller is one of them): it asks every actor to exit and returns at once, listing those
  /// still alive; outside code's shutdown(), or the destructor, finishes.
  shutdown_report shutdown() noexcept { return base_->shutdown(); }

  /// Returns how many destroyed systems still wait, in the background, for actors that were
  /// stuck in a handler at their shutdown deadline; each frees itself once they have exited.
  /// A program may wait for 0 before exiting. Thread-safe.
  static std::size_t abandoned_system_count() noexcept;

  /// Returns the configuration, including the capabilities the system added.
  const system_config& config() const noexcept { return base_->config(); }

  /// Returns how many messages could not be delivered (dead letters).
  std::uint64_t dead_letter_count() const noexcept { return base_->dead_letter_count(); }

  /// Returns how many actors are alive.
  std::size_t live_actor_count() const { return base_->live_actor_count(); }

  /// Returns the system's current capabilities.
  capability_map capabilities() const { return base_->capabilities(); }

  /// Sets a capability, or removes it when `value` is empty. Every live actor whose
  /// requirements are no longer met is asked to exit; an update that changes nothing touches
  /// no actor.
  void update_capability(std::string name, std::optional<capability_value> value = std::nullopt) {
    base_->update_capability(std::move(name), std::move(value));
  }

  /// Lets `delay` pass. On the simple base time is virtual and moves only here: due wakeups
  /// fire in deadline order, each running to quiet before the next. On the threaded base this
  /// waits `delay` of real time, so one test reads the same on both bases.
  template <class Rep, class Period>
  void advance_time(std::chrono::duration<Rep, Period> delay) {
    base_->advance_time(detail::saturating_ns(delay));
  }

  /// Returns a snapshot of the system's state.
  system_status status() const { return base_->status(); }

 private:
  template <class T>
  static const std::type_info& asked_type(const T& msg) noexcept {
    if constexpr (std::same_as<std::remove_cvref_t<T>, message>) {
      return msg.type();
    } else {
      return typeid(std::remove_cvref_t<T>);
    }
  }
  static std::string describe_no_reply(const std::type_info& asked, const address& to,
                                       ask_failure failure, std::chrono::nanoseconds timeout);

  std::unique_ptr<detail::system_base> base_;
};

}  // namespace thespis
