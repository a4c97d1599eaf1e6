// The exceptions the outside API throws, named after Thespian's hierarchy. The messaging hot
// path never throws: undeliverable messages become dead letters instead.
//
//   actor_system_exception
//   ├── invalid_actor_address          an address that names no actor where one is required
//   ├── invalid_actor_specification    an unknown actor type name
//   ├── invalid_actor_source_hash      (reserved for loadable actor sources)
//   ├── no_compatible_system_for_actor an actor's capability requirements are not met
//   ├── bad_message_cast               a message read as a type it does not hold
//   └── actor_system_failure
//       ├── actor_system_startup_failure   the system cannot start (e.g. a bad configuration)
//       ├── actor_system_request_timeout   a blocking request ran out of time
//       └── system_shut_down               the system no longer runs
#pragma once

#include <stdexcept>
#include <string>

namespace thespis {

/// Base of every error Thespis reports by exception.
class actor_system_exception : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An address that names no actor was given where an actor is required.
class invalid_actor_address : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// A creation request named no registered actor type (Thespian's InvalidActorSpecification).
class invalid_actor_specification : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// Reserved for actor sources loaded at run time (Thespian's InvalidActorSourceHash).
class invalid_actor_source_hash : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// No system offers what the actor class requires (Thespian's NoCompatibleSystemForActor).
class no_compatible_system_for_actor : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// A message was read as a type it does not hold (e.g. ask<Reply> got another reply type).
class bad_message_cast : public actor_system_exception {
 public:
  bad_message_cast(const std::string& held, const std::string& wanted)
      : actor_system_exception("message holds " + held + ", not " + wanted) {}
};

/// The system could not do what was asked of it.
class actor_system_failure : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// The system cannot start, e.g. its configuration names an unknown base.
class actor_system_startup_failure : public actor_system_failure {
 public:
  using actor_system_failure::actor_system_failure;
};

/// The configuration is invalid (a startup failure).
class invalid_system_config : public actor_system_startup_failure {
 public:
  using actor_system_startup_failure::actor_system_startup_failure;
};

/// A blocking request (e.g. a back-pressured tell) ran out of time.
class actor_system_request_timeout : public actor_system_failure {
 public:
  using actor_system_failure::actor_system_failure;
};

/// The operation needs a running system, but it has been shut down.
class system_shut_down : public actor_system_failure {
 public:
  using actor_system_failure::actor_system_failure;
};

}  // namespace thespis
