// The base class of every actor.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "core/actor_ref.hpp"
#include "core/address.hpp"
#include "core/detail/actor_context.hpp"
#include "core/detail/actor_factory.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/handler_table.hpp"
#include "core/detail/make_envelope.hpp"
#include "core/detail/saturating_duration.hpp"
#include "core/message.hpp"
#include "core/requirements.hpp"
#include "core/supervision.hpp"
#include "core/system_config.hpp"
#include "core/system_messages.hpp"

namespace thespis {

/// Names an actor system-wide: `create_actor<T>(global_name{"registry"}, args…)` returns the
/// actor already known by that name, whatever its class, or creates it as a top-level actor.
/// The name is freed when the actor exits.
struct global_name {
  std::string value;
};

namespace detail {
template <class A, class... Args>
std::unique_ptr<actor_factory> make_actor_factory(Args&&... args);  // troupe_leader.hpp
template <class A, class... Args>
std::unique_ptr<actor_factory> make_actor_factory_requiring(const requirements& more,
                                                            Args&&... args);

template <class T>
class object_actor;            // object_actor.hpp
struct actor_handlers_access;  // below

/// The actor class that hosts a T: T itself, or an object_actor<T> for a plain object.
template <class T>
struct hosted {
  using type = object_actor<T>;
};
template <std::derived_from<actor> T>
struct hosted<T> {
  using type = T;
};
template <class T>
using hosted_t = typename hosted<T>::type;

/// What creating an A returns: its address for an actor class, a typed reference sending
/// through `port` for a plain object.
template <class A>
auto as_created(send_port port, address a) {
  if constexpr (std::derived_from<A, actor>) {
    return a;
  } else {
    return actor_ref<A>(port, destination{std::move(a), nullptr, {}});
  }
}

/// True if a creation call's first argument is an option (a name or requirements) rather than a
/// constructor argument.
template <class... Args>
inline constexpr bool starts_with_option = false;
template <class First, class... Rest>
inline constexpr bool starts_with_option<First, Rest...> =
    std::is_same_v<std::remove_cvref_t<First>, requirements> ||
    std::is_same_v<std::remove_cvref_t<First>, global_name> ||
    std::is_same_v<std::remove_cvref_t<First>, supervision>;
}  // namespace detail

/// An actor: private state changed only by the messages it receives, one at a time.
///
/// Derive from it and either override receive() (Thespian's receiveMessage), or register one
/// handler per message type in the constructor with handle(); unmatched messages go to
/// unhandled(), which discards and counts them (system_status::unhandled_count), logging the first
/// of each message type per actor class. Actors are created
/// by the system (actor_system::create_actor or create_actor() from another actor), never with
/// `new`: the constructor may already use self(), send() and create_actor(). Instances come from
/// the runtime's per-thread slabs, as actors may be created and exit at message rate
/// (detail::small_object; a class may still define its own operator new).
class actor : public detail::small_object {
 public:
  /// Binds the actor to the runtime that is constructing it.
  actor();
  virtual ~actor();
  actor(const actor&) = delete;
  actor& operator=(const actor&) = delete;

  /// Handles one message; `sender` is who sent it (null for messages from outside the system).
  /// The default dispatches to the handlers registered with handle().
  virtual void receive(message& msg, const address& sender);

 protected:
  /// Returns this actor's address. Only from inside the owning actor.
  const address& self() const noexcept { return self_; }

  /// Sends msg to `to`, moving it; the receiver sees this actor as the sender. Only from inside
  /// the owning actor. Never blocks or throws for delivery: an undeliverable message becomes a
  /// dead letter. A received `message` may be forwarded with std::move (an empty one throws
  /// std::invalid_argument).
  template <class T>
  void send(const address& to, T&& msg) {
    send_envelope(to, detail::make_envelope(sender_reference(), std::forward<T>(msg)));
  }

  /// Sends a received message on to `to` with `original_sender` (who sent it here) as its sender,
  /// not this actor: what the receiver sends back goes straight there. For routers and proxies:
  /// an asked method call forwarded so is answered to its asker; forwarded with send(), its
  /// answer comes to this actor, which awaits none, and is a dead letter. Otherwise as send().
  void forward(const address& to, message&& msg, const address& original_sender) {
    send_envelope(to, detail::make_envelope(original_sender, std::move(msg)));
  }

  /// Sends msg to `to` as a request, and returns its pending reply: then(on_value, on_error) runs
  /// on_value(R) in this actor with the first message the receiver sends back to the sender its
  /// handler sees (`send(from, answer)`), or on_error(exception_ptr): actor_system_request_timeout
  /// if none came within `timeout`, invalid_actor_address at once if msg became a dead letter
  /// or its receiver dropped it unhandled (no handler for its type),
  /// bad_message_cast if the answer is no R (a poison_message when the handler failed twice: its
  /// error is in the text). With R = thespis::message any answer is the value, whatever its type
  /// (a poison_message too). Later answers to the request are dead letters. Never blocks. Only
  /// from inside the owning actor; for a plain object's methods, ref<T>(to).request(...).
  template <class R, class T, class Rep, class Period>
  pending_reply<R> request(const address& to, T&& msg, std::chrono::duration<Rep, Period> timeout) {
    static_assert(!std::is_void_v<R>, "a request's reply is a message: name its type");
    detail::actor_context* const context = own_context();
    const std::uint64_t id = context->next_request();
    send_envelope(
        to, detail::make_envelope(context->reply_address(id, typeid(R)), std::forward<T>(msg)));
    return pending_reply<R>(*context, id, detail::saturating_ns(timeout));
  }

  /// Creates a child actor A(args...) and returns its address at once. The child starts soon
  /// after on some worker; messages sent to it before then wait in its mailbox.
  /// Only from inside the owning actor.
  template <class A, class... Args>
  requires std::derived_from<A, actor> &&(!detail::starts_with_option<Args...>)address
      create_actor(Args&&... args) {
    return own_context()->spawn(detail::make_actor_factory<A>(std::forward<Args>(args)...));
  }

  /// Creates a child hosting a plain object A(args…) (any class; see object_actor.hpp for what
  /// its constructor may ask for) and returns a typed reference that sends as this actor.
  template <class A, class... Args>
  requires(!std::derived_from<A, actor> &&
           !detail::starts_with_option<Args...>) actor_ref<A> create_actor(Args&&... args) {
    return ref<A>(own_context()->spawn(
        detail::make_actor_factory<detail::object_actor<A>>(std::forward<Args>(args)...)));
  }

  /// Creates a supervised child A(args…) — an actor class or a plain object — that is
  /// restarted per `policy` when its handlers keep failing (see supervision.hpp).
  template <class A, class... Args>
  auto create_actor(const supervision& policy, Args&&... args) {
    return detail::as_created<A>(
        *own_context(), own_context()->spawn(detail::make_supervised_factory<detail::hosted_t<A>>(
                            policy, std::forward<Args>(args)...)));
  }

  /// Returns a typed reference to `to` (an actor of class A) that sends as this actor.
  template <class A>
  actor_ref<A> ref(const address& to) {
    return actor_ref<A>(*own_context(), detail::destination{to, nullptr, {}});
  }

  /// Returns a reference to the actor of class A with `id`, sending as this actor. Each message
  /// goes to the live actor with that id; if there is none, A's director is asked to create it
  /// and the message waits (in order) — or, with no director, becomes a dead letter.
  template <class A>
  actor_ref<A> by_id(std::string id) {
    return actor_ref<A>(*own_context(), detail::destination{address{}, &typeid(A), std::move(id)});
  }

  /// Returns a reference to the one actor of class A (a singleton: id "").
  template <class A>
  actor_ref<A> by_type() {
    return by_id<A>(std::string());
  }

  /// Creates A(args…) for a spawn_request this director received: a top-level actor bound to
  /// the request's id, which then receives every message waiting for that id, in order.
  /// Throws invalid_actor_specification if the request was for another class. Returns the
  /// live actor of that id if there is one already; creates nothing and returns a null address
  /// (or a reference to it) if the request is stale — the id got an actor another way since it
  /// was made, and that actor has gone too.
  template <class A, class... Args>
  auto create_for(spawn_request& request, Args&&... args) {
    check_request_type(request, typeid(A));
    return detail::as_created<A>(
        *own_context(),
        own_context()->spawn_with_id(
            typeid(A), request.id,
            detail::make_actor_factory<detail::hosted_t<A>>(std::forward<Args>(args)...),
            &request));
  }

  /// Creates A(args…) as a top-level actor bound to `id` (by_id<A>(id) reaches it), unless an
  /// actor of class A with that id is live: then returns that one.
  template <class A, class... Args>
  auto create_with_id(std::string id, Args&&... args) {
    return detail::as_created<A>(
        *own_context(),
        own_context()->spawn_with_id(
            typeid(A), std::move(id),
            detail::make_actor_factory<detail::hosted_t<A>>(std::forward<Args>(args)...), nullptr));
  }

  /// Makes this actor the director of class A (true) or stops it being one: it receives a
  /// spawn_request whenever a message is sent by id to an A that is not alive.
  template <class A>
  void direct(bool start = true) {
    own_context()->direct(typeid(A), start);
  }

  /// Watches `target`: when it exits, this actor receives actor_exited{target, reason}; at once
  /// (reason unknown) if it is already gone. Any actor may watch any other. Outside code (the
  /// sender of an outside tell or ask) never exits while the system runs: its watch never reports.
  void watch(const address& target) { own_context()->watch(target, true); }

  /// Stops watching `target`.
  void unwatch(const address& target) { own_context()->watch(target, false); }

  /// Returns the actor named `name`, or creates A(args...) under that name (a top-level actor,
  /// whose parent is the system). Only from inside the owning actor.
  template <class A, class... Args>
  requires std::derived_from<A, actor> address create_actor(global_name name, Args&&... args) {
    return own_context()->spawn_named(std::move(name.value),
                                      detail::make_actor_factory<A>(std::forward<Args>(args)...));
  }

  /// Creates a child actor A(args...) that must also meet `more` (on top of what A declares
  /// with a static `actor_requirements()`); throws no_compatible_system_for_actor if the
  /// system's capabilities fall short. Only from inside the owning actor.
  template <class A, class... Args>
  requires std::derived_from<A, actor> address create_actor(const requirements& more,
                                                            Args&&... args) {
    return own_context()->spawn(
        detail::make_actor_factory_requiring<A>(more, std::forward<Args>(args)...));
  }

  /// Returns the system's current capabilities. Only from inside the actor (also its
  /// constructor).
  capability_map capabilities() const { return own_context()->capabilities(); }

  /// Returns what this actor requires of the system. Only from inside the actor.
  const requirements& required_capabilities() const noexcept { return own_context()->required(); }

  /// Sets a capability of the system, or removes it when `value` is empty; every live actor is
  /// re-validated and those no longer satisfied are asked to exit. Only from inside the actor.
  void update_capability(std::string name, std::optional<capability_value> value = std::nullopt) {
    own_context()->update_capability(std::move(name), std::move(value));
  }

  /// Sends this actor a wakeup_message after `delay` — interleaved with its other messages, in
  /// deadline order with its other wakeups — carrying `payload` (any movable value) if given.
  /// Pending wakeups die with the actor. Only from inside the owning actor.
  template <class Rep, class Period, class... Payload>
  requires(sizeof...(Payload) <= 1) wakeup_handle
      wakeup_after(std::chrono::duration<Rep, Period> delay, Payload&&... payload) {
    message carried;
    if constexpr (sizeof...(Payload) == 1) {
      carried = message(detail::make_envelope(address{}, std::forward<Payload>(payload)...));
    }
    return own_context()->wakeup_after(detail::saturating_ns(delay), std::move(carried));
  }

  /// Cancels a pending wakeup: it will not be delivered. Returns false if it was delivered or
  /// cancelled already. Only from inside the owning actor.
  bool cancel_wakeup(wakeup_handle handle) noexcept { return own_context()->cancel_wakeup(handle); }

  /// Makes this actor transient (Thespian's @transient): it is asked to exit `after` its first
  /// message. Call in the constructor.
  template <class Rep, class Period>
  void exit_after_first_message(std::chrono::duration<Rep, Period> after) {
    own_context()->set_transient(detail::saturating_ns(after), false);
  }

  /// Makes this actor exit once it has received no message for `idle` (Thespian's
  /// @transient_idle). Call in the constructor.
  template <class Rep, class Period>
  void exit_when_idle_for(std::chrono::duration<Rep, Period> idle) {
    own_context()->set_transient(detail::saturating_ns(idle), true);
  }

  /// Logs a line tagged with this actor's address and class to the system's sink, if `level`
  /// reaches the configured threshold. Only from inside the owning actor.
  void log(log_level level, std::string_view text) { own_context()->log(level, text); }

  /// Returns the parent's address; null for a top-level actor. Only from inside the actor.
  address parent() const noexcept { return own_context()->parent(); }

  /// Returns the global name this actor was created with, or "". Only from inside the actor.
  const std::string& name() const noexcept { return own_context()->global_name(); }

  /// Makes this actor the system's dead-letter handler, replacing any other (the latest
  /// registration wins), or — with false — stops it being one. Dead letters then arrive as
  /// dead_envelope messages. Only from inside the owning actor.
  void handle_dead_letters(bool start = true) { own_context()->handle_dead_letters(start); }

  /// Creates a child actor of a type registered with register_actor_type(); throws
  /// invalid_actor_specification for an unknown name. Only from inside the owning actor.
  address create_actor(std::string_view type_name) { return own_context()->spawn(type_name); }

  /// Registers f as the handler for the message type of its first parameter; see
  /// detail::handler_table::add for the accepted shapes. Usually called in the constructor;
  /// called while the actor handles a message or a reply (switching behaviour), it takes effect
  /// from the next message. Only on the actor's own thread (not from a parallel_for's body).
  template <class F>
  void handle(F&& f) {
    handlers_.add(std::forward<F>(f), own_context()->defer_handler_change());
  }

  /// Registers a member function as a handler: `handle(&counter::on_add)`.
  template <class C, class R, class... Args>
  requires std::derived_from<C, actor>
  void handle(R (C::*fn)(Args...)) {
    handlers_.add([this, fn](Args... a) { (static_cast<C*>(this)->*fn)(std::forward<Args>(a)...); },
                  own_context()->defer_handler_change());
  }

  /// Marks (true) or clears (false) multi-step work in progress for a troupe member: while
  /// marked, the troupe gives it no new work. No effect outside a troupe.
  void troupe_work_in_progress(bool busy) { own_context()->set_troupe_work_in_progress(busy); }

  /// Hands back, oldest first, mail this exiting actor took in but will not handle; for
  /// runtime-provided actors (troupe leaders). Only inside the handler of actor_exit_request,
  /// or in the destructor.
  void give_back_unhandled(detail::envelope* env) noexcept {
    own_context()->give_back_unhandled(env);
  }

  /// Creates a child from a prepared factory; for runtime-provided actors (troupe leaders).
  address create_child(std::unique_ptr<detail::actor_factory> factory) {
    return own_context()->spawn(std::move(factory));
  }

  /// Called by the default receive() for a message no handler matches. By default discards it,
  /// counts it in system_status::unhandled_count and logs a warning the first time the system
  /// sees this actor class given this message type (system messages aside); an asked method
  /// call (a typed reference of another class) is answered at once with invalid_actor_address.
  virtual void unhandled(message& msg, const address& sender);

  /// Keeps `state` for this actor's id until its next incarnation takes it (retirement).
  void keep_state(std::string state) { own_context()->keep_state(std::move(state)); }
  /// Returns the state a previous incarnation of this actor's id kept, once.
  std::optional<std::string> take_kept_state() { return own_context()->take_kept_state(); }

 private:
  friend class context;
  friend struct detail::actor_handlers_access;

  static void check_request_type(const spawn_request& request, const std::type_info& type);
  // receive()'s slow path: a handler found by type name, else unhandled().
  [[gnu::noinline]] void receive_by_type_name(message& msg, const address& sender);

  // send() and forward(): delivers, slows down for a congested receiver, or dead-letters.
  [[gnu::always_inline]] void send_envelope(const address& to, detail::envelope* env) {
    if (auto* target = detail::address_access::target(to)) {
      target->deliver(env);
      if (back_pressure_ && target->congested()) own_context()->slow_down_for(*target);
    } else {
      own_context()->undeliverable(env);
    }
  }

  /// Returns self_ for a message's sender field: a reference to this actor's cell, which the
  /// receiver drops when it has handled the message. Why not copy self_: each copy is an atomic
  /// increment on the cell's count, which the receiving thread's decrement keeps pulling away,
  /// one cache miss per send. References are taken `self_reference_batch` at a time instead and
  /// handed out by this owner-only counter; ~actor returns the unused ones.
  address sender_reference() noexcept {
    auto* cell = detail::address_access::target(self_);
    if (self_credit_ == 0) {
      cell->add_refs(self_reference_batch);
      self_credit_ = self_reference_batch;
    }
    --self_credit_;
    return detail::address_access::adopt(cell);
  }
  static constexpr std::uint32_t self_reference_batch = 64;

  // The actor's context is its address's target (see actor_context): no pointer of its own.
  detail::actor_context* own_context() const noexcept {
    return static_cast<detail::actor_context*>(detail::address_access::target(self_));
  }

  address self_;
  std::uint32_t self_credit_ = 0;  // references to self_'s cell taken but not handed out yet
  bool back_pressure_;             // the system limits mailboxes: check targets after each send
  detail::handler_table handlers_;
};

namespace detail {
/// The runtime's way to install the handlers an actor registered while it handled a message,
/// once that message is done (see handler_table::install_added).
struct actor_handlers_access {
  static void install_added(actor& a) { a.handlers_.install_added(); }
};
}  // namespace detail

}  // namespace thespis

#include "core/detail/context_definition.hpp"  // after actor: forwards to it
#include "core/detail/object_actor.hpp"        // after actor: hosts plain objects
#include "core/detail/troupe_leader.hpp"       // after actor: the leader is an actor
