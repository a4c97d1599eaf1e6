// Registering message types for serialization, for bases that carry messages between processes
// or hosts (process and TCP bases). In-process delivery never serializes: it moves.
// This is the one header of Thespis that includes cereal.
#pragma once

#include <cereal/archives/portable_binary.hpp>

#include <concepts>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <typeinfo>

#include "core/detail/envelope.hpp"
#include "core/detail/make_envelope.hpp"
#include "core/errors.hpp"
#include "core/message.hpp"

namespace thespis {

/// A message in wire form: its registered type name and its cereal portable-binary bytes.
struct serialized_message {
  std::string type_name;
  std::string bytes;
};

/// The wire data names no registered message type.
class unknown_message_type : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// The wire data does not decode as the type it names.
class malformed_message : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

/// A registration would give a name two types, or a type two names.
class duplicate_message_type : public actor_system_exception {
 public:
  using actor_system_exception::actor_system_exception;
};

namespace detail {
using message_writer = std::string (*)(const envelope&);
using message_reader = envelope* (*)(const std::string&);

/// Adds a serializable type under a stable name, process-wide; throws duplicate_message_type if
/// the name is another type's or the type has another name. Thread-safe.
void register_message_codec(std::string name, const std::type_info& type, message_writer write,
                            message_reader read);
}  // namespace detail

/// Registers T (default-constructible, with a cereal `serialize` function) under a stable,
/// process-independent name, so that bases crossing process boundaries can carry it.
/// A name stands for one type and a type has one name: registering T again under the same name
/// does nothing, while a name already given to another type, or a second name for T, throws
/// duplicate_message_type and changes nothing (from a static initializer that ends the program
/// at startup, naming both). Thread-safe; returns true so it can initialize a static.
template <class T>
requires std::default_initializable<T> && std::movable<T>
bool register_message_type(std::string name) {
  auto write = [](const detail::envelope& e) {
    std::ostringstream out;
    {
      cereal::PortableBinaryOutputArchive archive(out);
      archive(static_cast<const detail::envelope_of<T>&>(e).value);
    }
    return std::move(out).str();
  };
  auto read = [](const std::string& bytes) -> detail::envelope* {
    T value{};
    std::istringstream in(bytes);
    cereal::PortableBinaryInputArchive archive(in);
    archive(value);
    return detail::make_envelope(address{}, std::move(value));
  };
  detail::register_message_codec(std::move(name), typeid(T), write, read);
  return true;
}

namespace detail {
/// Returns an actor object's state (its cereal `serialize`), for keeping across retirement.
template <class T>
std::string serialize_state(const T& object) {
  std::ostringstream out;
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(object);
  }
  return std::move(out).str();
}

/// Restores what serialize_state() returned into object; throws malformed_message.
template <class T>
void deserialize_state(T& object, const std::string& bytes) {
  try {
    std::istringstream in(bytes);
    cereal::PortableBinaryInputArchive archive(in);
    archive(object);
  } catch (const cereal::Exception& e) {
    throw malformed_message(std::string("kept actor state does not decode: ") + e.what());
  }
}
}  // namespace detail

/// Returns the wire form of msg, or std::nullopt if its type was not registered.
std::optional<serialized_message> serialize(const message& msg);

/// Rebuilds a message from its wire form; throws unknown_message_type or malformed_message.
message deserialize(const serialized_message& wire);

}  // namespace thespis
