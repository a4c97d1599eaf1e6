// Registering message types for serialization, for bases that carry messages between processes
// or hosts (process and TCP bases). In-process delivery never serializes: it moves.
// This is the one header of Thespis that includes cereal.
#pragma once

#include <cereal/archives/portable_binary.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
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
/// Reads cereal portable-binary data (what cereal::PortableBinaryOutputArchive writes) from
/// memory, and never lets a declared size outrun the bytes present: every container cereal loads
/// reads a size tag first, and a size above the bytes left is refused before the container grows
/// (cereal's own archive resizes first, so 9 bytes could ask for any amount of memory). An
/// element takes at least a byte on the wire, so a container allocates at most sizeof(element)
/// times the input's size: 1 for a string, 4 for a vector<int>, but more for an element type that
/// is large in memory yet small on the wire (a vector<std::array<char, 4096>> of 1000 elements
/// declared in a short message allocates 4 MB before its read fails). A type whose own load sizes
/// memory by a number it read is not bounded at all. The price: a container of elements that take
/// no bytes (empty classes) cannot hold more elements than bytes follow its size. Throws
/// cereal::Exception on data that does not decode. Not thread-safe.
class bounded_input_archive
    : public cereal::InputArchive<bounded_input_archive, cereal::AllowEmptyClassElision> {
 public:
  /// Reads the byte order flag at the front of bytes, which must outlive the archive.
  explicit bounded_input_archive(std::string_view bytes);

  /// Copies size bytes to data, reversing each DataSize-byte item if the writer's byte order
  /// differs from ours.
  template <std::size_t DataSize>
  void load_binary(void* data, std::size_t size) {
    take(data, size);
    if (!swap_) return;
    auto* item = static_cast<unsigned char*>(data);
    for (std::size_t i = 0; i + DataSize <= size; i += DataSize) {
      std::reverse(item + i, item + i + DataSize);
    }
  }

  /// Throws unless count items of at least a byte each could still follow.
  void check_size(std::uint64_t count) const;

  /// Throws if any bytes are still unread.
  void check_finished() const;

  /// Returns how many bytes are still unread.
  std::size_t remaining() const noexcept { return bytes_.size() - position_; }

 private:
  void take(void* data, std::size_t size);

  std::string_view bytes_;
  std::size_t position_ = 0;
  bool swap_ = false;
};

// The load functions cereal finds (by argument-dependent lookup) for the archive: the same
// encoding as cereal's PortableBinaryInputArchive, with size tags checked.
template <class T>
requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& archive, T& value) {
  static_assert(!std::is_floating_point_v<T> || std::numeric_limits<T>::is_iec559,
                "portable binary supports IEEE 754 floating point only");
  archive.load_binary<sizeof(T)>(std::addressof(value), sizeof(T));
}

// A bool is its byte, 0 or 1; any other byte is malformed. Why not the overload above: a byte
// copied into a bool that is neither 0 nor 1 is undefined behaviour (a bool field,
// std::optional's engaged flag, each element of a vector<bool>).
inline void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& archive, bool& value) {
  std::uint8_t byte = 0;
  archive.load_binary<1>(&byte, 1);
  if (byte > 1) throw cereal::Exception("a bool of " + std::to_string(byte) + ", not 0 or 1");
  value = byte == 1;
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& archive, cereal::BinaryData<T>& data) {
  using item = std::remove_pointer_t<T>;
  static_assert(!std::is_floating_point_v<item> || std::numeric_limits<item>::is_iec559,
                "portable binary supports IEEE 754 floating point only");
  archive.load_binary<sizeof(item)>(data.data, static_cast<std::size_t>(data.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& archive, cereal::NameValuePair<T>& pair) {
  archive(pair.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& archive, cereal::SizeTag<T>& tag) {
  archive(tag.size);
  archive.check_size(tag.size);
}

/// Loads object from all of bytes; throws malformed_message naming what failed (any exception
/// of the decoding, a std::bad_alloc included, or bytes left over after the object).
template <class T>
void decode(T& object, std::string_view bytes) {
  try {
    bounded_input_archive archive(bytes);
    archive(object);
    archive.check_finished();
  } catch (const std::exception& e) {
    throw malformed_message(e.what());
  }
}

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
/// An enum in T should be an `enum class` or declare its underlying type (`enum e : int`): a
/// plain enum's valid values are only its enumerators' bit range, and cereal loads any integer
/// into it, so a corrupt byte in one makes undefined behaviour no check here can catch (C++20
/// cannot tell such an enum apart). Every other decoding failure is malformed_message.
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
    detail::decode(value, bytes);
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
    decode(object, bytes);
  } catch (const malformed_message& e) {
    throw malformed_message(std::string("kept actor state does not decode: ") + e.what());
  }
}
}  // namespace detail

/// Returns the wire form of msg, or std::nullopt if its type was not registered.
std::optional<serialized_message> serialize(const message& msg);

/// Rebuilds a message from its wire form; throws unknown_message_type, or malformed_message naming
/// the type if the bytes do not decode as exactly one value of it. Thread-safe.
message deserialize(const serialized_message& wire);

}  // namespace thespis

// Lets polymorphic types registered with cereal load through the archive, and lets cereal pair
// it with the portable-binary output archive (for save_minimal/load_minimal).
CEREAL_REGISTER_ARCHIVE(thespis::detail::bounded_input_archive)
namespace cereal::traits::detail {
template <>
struct get_output_from_input<thespis::detail::bounded_input_archive> {
  using type = PortableBinaryOutputArchive;
};
}  // namespace cereal::traits::detail
