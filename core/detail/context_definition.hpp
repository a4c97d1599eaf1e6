// The definition of thespis::context; include core/context.hpp (or core/thespis.hpp) instead.
// Included at the end of core/actor.hpp because it forwards to the actor it belongs to.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "core/detail/method_call.hpp"
#include "core/detail/type_name.hpp"

namespace thespis {
namespace detail {
template <class T>
class object_actor;
}  // namespace detail

/// What a plain-object actor uses to act: its address, sending, typed references, creating
/// actors, directing, watching, timed calls, retiring and marking troupe work. Injected by
/// signature — a plain class whose constructor takes `thespis::context&` first gets its actor's
/// context; a class that does not ask for one never sees Thespis. Only from inside the owning
/// actor (its handlers and constructor); the reference stays valid for the actor's lifetime.
class context {
 public:
  /// `object_type`: the class of the plain object the actor hosts, which call_after() checks
  /// its methods against (null: call_after() refuses every method).
  explicit context(actor& owner, const std::type_info* object_type = nullptr) noexcept
      : owner_(&owner), object_type_(object_type) {}
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  /// Returns the actor's own address.
  const address& self() const noexcept { return owner_->self(); }
  /// Returns the parent's address; null for a top-level actor.
  address parent() const noexcept { return owner_->parent(); }

  /// Sends a plain message to `to` as this actor.
  template <class M>
  void send(const address& to, M&& msg) {
    owner_->send(to, std::forward<M>(msg));
  }
  /// Returns a typed reference to `to` that sends as this actor.
  template <class A>
  actor_ref<A> ref(const address& to) {
    return owner_->template ref<A>(to);
  }
  /// Returns a reference to the actor of class A with `id` (see actor::by_id).
  template <class A>
  actor_ref<A> by_id(std::string id) {
    return owner_->template by_id<A>(std::move(id));
  }
  /// Returns a reference to the one actor of class A.
  template <class A>
  actor_ref<A> by_type() {
    return owner_->template by_type<A>();
  }

  /// Creates a child A(args…): an address for an actor class, a typed reference for a plain
  /// object.
  template <class A, class... Args>
  auto create(Args&&... args) {
    return owner_->template create_actor<A>(std::forward<Args>(args)...);
  }
  /// Creates A(args…) for a spawn_request received as A's director (see actor::create_for).
  template <class A, class... Args>
  auto create_for(spawn_request& request, Args&&... args) {
    return owner_->template create_for<A>(request, std::forward<Args>(args)...);
  }
  /// Creates A(args…) bound to `id`, unless one is live (see actor::create_with_id).
  template <class A, class... Args>
  auto create_with_id(std::string id, Args&&... args) {
    return owner_->template create_with_id<A>(std::move(id), std::forward<Args>(args)...);
  }
  /// Makes this actor the director of class A (see actor::direct).
  template <class A>
  void direct(bool start = true) {
    owner_->template direct<A>(start);
  }

  /// Watches `target`: its exit arrives as actor_exited (list a handler for it).
  void watch(const address& target) { owner_->watch(target); }
  /// Stops watching `target`.
  void unwatch(const address& target) { owner_->unwatch(target); }

  /// Calls `method(args…)` on this actor's object after `delay`: a wakeup (see
  /// actor::wakeup_after) that arrives among the actor's messages, in deadline order with its
  /// other wakeups (ties in the order armed), and runs the method as a told call — its result
  /// is dropped, and an exception is a failure of the actor (retried once, then a
  /// poison_message). A method taking `const message_meta&` last sees this actor as the
  /// sender. Returns a handle for cancel_wakeup(). Pending calls die with the actor (a
  /// retirement too) and with a restart. The arguments are copied or moved in now.
  /// `method` must name a member of the object's own class: for a base class's method,
  /// convert the pointer (`static_cast<void (bot::*)()>(&base::f)`). Another class's method
  /// throws std::invalid_argument, naming both classes.
  template <class Rep, class Period, class Fn, class... Args>
  requires std::is_member_function_pointer_v<Fn> &&
      detail::method_of<detail::member_class_t<Fn>, Fn, Args...>
          wakeup_handle call_after(std::chrono::duration<Rep, Period> delay, Fn method,
                                   Args&&... args) {
    using object = detail::member_class_t<Fn>;
    if (object_type_ == nullptr || *object_type_ != typeid(object)) refuse_call(typeid(object));
    // The owner hosts an `object`: object_type_ says so (object_actor's constructor sets it).
    static_cast<detail::object_actor<object>&>(*owner_).accept_timed_calls();
    return owner_->wakeup_after(
        delay, detail::call<object>{
                   std::make_unique<detail::bound_call<object, Fn, std::decay_t<Args>...>>(
                       method, 0, std::forward<Args>(args)...)});
  }
  /// Cancels a pending call_after(): it will not run. Returns false if it ran or was cancelled
  /// already.
  bool cancel_wakeup(wakeup_handle handle) noexcept { return owner_->cancel_wakeup(handle); }

  /// Retires this actor once it has received no message for `idle`: it gets an exit request
  /// (its dispose() and destructor run) and its id is freed; the next message for the id has
  /// its director create it again.
  template <class Rep, class Period>
  void retire_when_idle_for(std::chrono::duration<Rep, Period> idle) {
    owner_->exit_when_idle_for(idle);
  }
  /// Marks (true) or clears (false) multi-step work in progress for a troupe member: while
  /// marked, the troupe gives it no new work. No effect outside a troupe.
  void troupe_work_in_progress(bool busy) { owner_->troupe_work_in_progress(busy); }
  /// Asks this actor to exit: sends it an actor_exit_request, which it handles after the
  /// messages already queued (as Thespian's self-sent exit request); what comes after it is a
  /// dead letter.
  void exit() { owner_->send(owner_->self(), actor_exit_request{}); }

  /// Logs a line tagged with this actor's address and class.
  void log(log_level level, std::string_view text) { owner_->log(level, text); }

 private:
  [[noreturn]] void refuse_call(const std::type_info& method_class) const {
    throw std::invalid_argument(
        "call_after: the method is a member of " + detail::type_name(method_class) +
        (object_type_ ? ", not of the actor's class " + detail::type_name(*object_type_)
                      : ", and this context hosts no plain object") +
        " (for a base class's method, convert the pointer to one of the actor's class)");
  }

  actor* owner_;
  const std::type_info* object_type_;
};

}  // namespace thespis
