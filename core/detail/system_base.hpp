// The interface every system base implements; actor_system forwards to it. Core declares it and
// never includes a base: bases/ provide make_system_base().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/address.hpp"
#include "core/ask_result.hpp"
#include "core/detail/actor_factory.hpp"
#include "core/detail/destination.hpp"
#include "core/detail/envelope.hpp"
#include "core/message.hpp"
#include "core/shutdown_report.hpp"
#include "core/system_config.hpp"
#include "core/system_status.hpp"

namespace thespis::detail {

/// A running system. Thread-safety is the base's: the threaded base is fully thread-safe; the
/// simple base is driven from one thread.
class system_base {
 public:
  virtual ~system_base() = default;

  // -- what typed references made by outside code call: documented at send_port -------------
  virtual void post(const destination& to, envelope* env) = 0;
  // The sender is a fresh reply address; waits for the first reply (or says why none came).
  virtual asked ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) = 0;
  virtual std::uint64_t next_request() noexcept = 0;
  virtual void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                            std::function<void(call_reply&)> resume) = 0;

  /// Creates a top-level actor, constructing it before returning; constructor errors propagate.
  virtual address spawn(std::unique_ptr<actor_factory> factory) = 0;
  /// Returns the actor named `name`, or creates a top-level one with `factory` under it.
  virtual address spawn_named(std::string name, std::unique_ptr<actor_factory> factory) = 0;
  /// Delivers env (sender already set) to `to`, or dead-letters it.
  virtual void tell(const address& to, envelope* env) = 0;
  /// Returns the oldest message sent to outside code (the sender of its tells), waiting up to
  /// `timeout`; an empty message on timeout.
  virtual message listen(std::chrono::nanoseconds timeout) = 0;
  /// Sends an exit request to every live actor and stops; idempotent (a repeated call returns
  /// the first report); bounded by the config's shutdown timeout.
  virtual shutdown_report shutdown() noexcept = 0;
  /// After shutdown: blocks until no actor is alive, asking any actor created since to exit too.
  /// Used to free a system whose shutdown was not clean only once its stuck actors are done.
  virtual void wait_until_all_exited() noexcept = 0;

  virtual const system_config& config() const noexcept = 0;
  /// Returns how many messages could not be delivered.
  virtual std::uint64_t dead_letter_count() const noexcept = 0;
  /// Returns how many actors are alive.
  virtual std::size_t live_actor_count() const = 0;
  /// Returns the current capabilities.
  virtual capability_map capabilities() const = 0;
  /// Sets or removes a capability and re-validates every live actor.
  virtual void update_capability(std::string name, std::optional<capability_value> value) = 0;
  /// Lets `delay` pass: virtual time on the simple base (due wakeups fire, in deadline order,
  /// each running to quiet before the next), real waiting on the threaded base.
  virtual void advance_time(std::chrono::nanoseconds delay) = 0;
  /// Returns a snapshot of the system's state.
  virtual system_status status() const = 0;

  /// Creates a top-level actor bound to (type, id), unless one is live (then returns it).
  virtual address spawn_with_id(const std::type_info& type, std::string id,
                                std::unique_ptr<actor_factory> factory) = 0;
  /// Makes `director` the director of `type` (a null address removes it).
  virtual void set_director(const std::type_info& type, address director) = 0;
};

/// Builds the base named by config.base; throws invalid_system_config for an unknown name.
/// Defined in bases/.
std::unique_ptr<system_base> make_system_base(system_config config);

/// Frees a shut-down base: at once if no actor is alive, else on a background thread once its
/// remaining actors have exited (they still run on its workers and touch its memory). Defined
/// in bases/.
void dispose_system_base(std::unique_ptr<system_base> base) noexcept;

/// Returns how many disposed bases still wait for their actors to exit. Defined in bases/.
std::size_t abandoned_system_count() noexcept;

}  // namespace thespis::detail
