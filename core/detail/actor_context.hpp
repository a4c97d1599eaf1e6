// What an actor needs from the runtime that hosts it. Implemented by each base's actor cell.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "core/address.hpp"
#include "core/detail/actor_factory.hpp"
#include "core/detail/address_target.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/envelope.hpp"
#include "core/requirements.hpp"
#include "core/system_config.hpp"
#include "core/system_messages.hpp"

namespace thespis::detail {

/// The runtime side of one actor. Called only from inside the owning actor. As a send_port it
/// is what typed references made by the actor send through (as the actor). It is also the
/// actor's address target: an actor keeps only its own address and reaches its context from it
/// (a static cast), one word less per actor.
class actor_context : public address_target {
 public:
  // -- what typed references made by the actor call: documented at send_port -----------------
  virtual void post(const destination& to, envelope* env) = 0;
  virtual asked ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) = 0;
  virtual std::uint64_t next_request() noexcept = 0;
  virtual void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                            std::function<void(call_reply&)> resume) = 0;
  /// Returns a fresh address to send a plain-message request from (actor::request): the first
  /// message sent back to it is the reply to `request`, delivered as a call_reply — its value if
  /// it is an `expected`, else the error reading it as one.
  virtual address reply_address(std::uint64_t request, const std::type_info& expected) = 0;

  /// Returns the actor's own address.
  virtual address self() noexcept = 0;
  /// Creates a child actor; returns its address at once (the child may start later).
  virtual address spawn(std::unique_ptr<actor_factory> factory) = 0;
  /// Creates a child actor of a registered type name; throws invalid_actor_specification.
  virtual address spawn(std::string_view type_name) = 0;
  /// Returns the actor named `name`, creating it with `factory` (as a top-level actor) if none
  /// has that name.
  virtual address spawn_named(std::string name, std::unique_ptr<actor_factory> factory) = 0;
  /// Returns the parent's address; null for a top-level actor.
  virtual address parent() const noexcept = 0;
  /// Returns the global name the actor was created with, or an empty string.
  virtual const std::string& global_name() const noexcept = 0;
  /// Returns the system's current capabilities.
  virtual capability_map capabilities() const = 0;
  /// Returns what the actor requires of the system.
  virtual const requirements& required() const noexcept = 0;
  /// Sets (or, with no value, removes) a capability and re-validates every live actor.
  virtual void update_capability(std::string name, std::optional<capability_value> value) = 0;
  /// Schedules a wakeup_message carrying `payload` to the actor after `delay`.
  virtual wakeup_handle wakeup_after(std::chrono::nanoseconds delay, message payload) = 0;
  /// Cancels a pending wakeup; returns false if it was delivered or cancelled already.
  virtual bool cancel_wakeup(wakeup_handle handle) noexcept = 0;
  /// Makes the actor exit `after` its first message (idle == false), or once it has received
  /// nothing for `after` (idle == true).
  virtual void set_transient(std::chrono::nanoseconds after, bool idle) = 0;
  /// Marks or clears a troupe member's work in progress.
  virtual void set_troupe_work_in_progress(bool busy) noexcept = 0;
  /// Returns true if the system limits mailboxes (back-pressure).
  virtual bool back_pressure() const noexcept = 0;
  /// The actor just sent to a congested target: it will pause after its current message.
  virtual void slow_down_for(address_target& target) noexcept = 0;
  /// Logs `text` at `level`, tagged with the actor's address and class.
  virtual void log(log_level level, std::string_view text) = 0;
  /// Makes this actor the system's dead-letter handler (true) or stops it being one (false).
  virtual void handle_dead_letters(bool start) = 0;
  /// Takes an envelope that cannot be delivered (e.g. sent to the null address).
  virtual void undeliverable(envelope* env) noexcept = 0;
  /// Inside the handler of an exit request: takes back mail the actor accepted but will never
  /// handle (a troupe leader's queue), oldest first. It goes where the exiting actor's unread
  /// mail goes — to the actor's id, else dead-letter handling — ahead of what is still queued.
  virtual void give_back_unhandled(envelope* env) noexcept = 0;
  /// Counts a message of `message_type` the actor had no handler for
  /// (system_status::unhandled_count), and logs a warning the first time the system sees the
  /// actor's class given that type.
  virtual void count_unhandled(const std::type_info& message_type) noexcept = 0;
  /// Asked by handle(): true while the actor handles a message or runs a reply handler (then()),
  /// when a handler it registers must wait until that is done (it may replace the running one),
  /// and the runtime then installs it (actor_handlers_access). False in the constructor and
  /// outside the actor's code (its destructor): it takes effect at once.
  virtual bool defer_handler_change() noexcept = 0;

  // -- ids, directors, watches (Calculon-style actors) ---------------------------------------
  /// Sends env (sender set) to the live actor of `type` with `id`, or to its director.
  virtual void send_by_id(const std::type_info& type, std::string id, envelope* env) = 0;
  /// Creates a top-level actor bound to (type, id) — for `request` if given (the director's
  /// answer) — and hands it the mail waiting for that id. Returns the live actor of that id if
  /// there is one already.
  virtual address spawn_with_id(const std::type_info& type, std::string id,
                                std::unique_ptr<actor_factory> factory, spawn_request* request) = 0;
  /// Makes the actor the director of `type` (true) or stops it being one (false).
  virtual void direct(const std::type_info& type, bool start) = 0;
  /// Starts (true) or stops watching `target`: its exit is reported with an actor_exited.
  virtual void watch(const address& target, bool start) = 0;
  /// Keeps `state` for the actor's id until its next incarnation takes it (retirement).
  virtual void keep_state(std::string state) = 0;
  /// Returns the state the previous incarnation of this actor's id kept, once; or nothing.
  virtual std::optional<std::string> take_kept_state() = 0;

 protected:
  explicit actor_context(address_id id) noexcept : address_target(id) {}
  ~actor_context() override = default;
};

/// While the runtime constructs an actor, the constructor reaches its context through this.
/// Returns nullptr outside such a construction.
actor_context* constructing_context() noexcept;

/// Marks the current thread as constructing an actor for `ctx` for the scope's lifetime.
class construction_scope {
 public:
  explicit construction_scope(actor_context* ctx) noexcept;
  ~construction_scope();
  construction_scope(const construction_scope&) = delete;
  construction_scope& operator=(const construction_scope&) = delete;

 private:
  actor_context* previous_;
};

}  // namespace thespis::detail
