// The exceptions the outside API throws. The messaging hot path never throws; it dead-letters.
#pragma once

#include <stdexcept>
#include <string>

namespace thespis {

/// Base of every error Thespis reports by exception.
class actor_system_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A creation request named no registered actor type (Thespian's InvalidActorSpecification).
class invalid_actor_specification : public actor_system_error {
 public:
  using actor_system_error::actor_system_error;
};

/// A message was read as a type it does not hold (e.g. ask<Reply> got another reply type).
class bad_message_cast : public actor_system_error {
 public:
  bad_message_cast(const std::string& held, const std::string& wanted)
      : actor_system_error("message holds " + held + ", not " + wanted) {}
};

/// The configuration names no known system base or has an invalid value.
class invalid_system_config : public actor_system_error {
 public:
  using actor_system_error::actor_system_error;
};

/// The operation needs a running system, but it has been shut down.
class system_shut_down : public actor_system_error {
 public:
  using actor_system_error::actor_system_error;
};

}  // namespace thespis
