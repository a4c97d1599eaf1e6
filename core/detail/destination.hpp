// Where a typed reference sends: an address, or a (class, id) route resolved per message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <typeinfo>

#include "core/address.hpp"
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

/// The sending side a typed reference is bound to: the outside caller (the system) or one
/// actor. Used by actor_ref; thread-safety is the implementer's.
class send_port {
 public:
  /// Sends env (its sender is set here) to `to`, or dead-letters it.
  virtual void post(const destination& to, envelope* env) = 0;
  /// Sends env and blocks up to `timeout` for the first reply; empty on timeout. Outside only.
  virtual message ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) = 0;
  /// Returns a fresh request number for a method-call ask.
  virtual std::uint64_t next_request() noexcept = 0;
  /// Inside an actor only: runs `resume` with the reply to `request`, or with a timeout error
  /// after `timeout`, in the actor, between its messages.
  virtual void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                            std::function<void(call_reply&)> resume) = 0;

 protected:
  ~send_port() = default;
};

}  // namespace thespis::detail
