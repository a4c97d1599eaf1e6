// Where a typed reference sends: an address, or a (class, id) route resolved per message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <typeinfo>

#include "core/address.hpp"
#include "core/ask_result.hpp"
#include "core/detail/envelope.hpp"
#include "core/message.hpp"

namespace thespis::detail {

/// An address, or — when `type` is set — the live actor of that class with that id, created on
/// demand by the class's director.
struct destination {
  address to;
  const std::type_info* type = nullptr;
  std::string id;

  bool by_id() const noexcept { return type != nullptr; }
};

struct call_reply;

class actor_context;
class system_base;

/// The sending side a typed reference is bound to: the outside caller (the system) or one
/// actor; each implements the calls below (thread-safety is theirs). A tagged reference, not a
/// base class with virtual functions: an actor's context is its cell, one per actor, which
/// would carry a second vtable pointer for it.
class send_port {
 public:
  send_port() = default;  // unbound: sending through it throws std::logic_error
  send_port(actor_context& actor) noexcept : actor_(&actor) {}   // NOLINT: converts by design
  send_port(system_base& system) noexcept : system_(&system) {}  // NOLINT: converts by design

  /// Sends env (its sender is set here) to `to`, or dead-letters it.
  void post(const destination& to, envelope* env) const;
  /// Sends env and blocks up to `timeout` for the first reply (or why none came). Outside only.
  asked ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) const;
  /// Returns a fresh request number for a method-call ask.
  std::uint64_t next_request() const noexcept;
  /// Throws std::logic_error unless this is an actor's port: a request's reply can only be
  /// awaited inside an actor. Checked before the request is sent, so a refused one never runs.
  void require_actor_for_request() const;
  /// Inside an actor only: runs `resume` with the reply to `request`, or with a timeout error
  /// after `timeout`, in the actor, between its messages.
  void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                    std::function<void(call_reply&)> resume) const;

 private:
  actor_context* actor_ = nullptr;  // set for an actor's port
  system_base* system_ = nullptr;   // set for the outside caller's
};

}  // namespace thespis::detail
