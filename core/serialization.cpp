#include "core/serialization.hpp"

#include <bit>
#include <cstring>
#include <map>
#include <mutex>
#include <typeindex>

#include "core/detail/type_name.hpp"

namespace thespis {

namespace {
struct codec {
  std::string name;
  const std::type_info* type;
  detail::message_writer write;
  detail::message_reader read;
};

struct codec_registry {
  std::mutex mutex;
  std::map<std::type_index, codec> by_type;
  std::map<std::string, codec, std::less<>> by_name;
};

codec_registry& registry() {
  static codec_registry r;  // function-local: usable from other static initializers
  return r;
}

// Returns true if name already stands for type; throws duplicate_message_type if the name is
// another type's or the type has another name. The caller holds r.mutex.
bool already_registered(const codec_registry& r, const std::string& name,
                        const std::type_info& type) {
  if (auto same_name = r.by_name.find(name); same_name != r.by_name.end()) {
    if (*same_name->second.type == type) return true;
    throw duplicate_message_type("message type name '" + name + "' is already registered for " +
                                 detail::type_name(*same_name->second.type) + ", not " +
                                 detail::type_name(type));
  }
  if (auto same_type = r.by_type.find(type); same_type != r.by_type.end()) {
    throw duplicate_message_type("message type " + detail::type_name(type) +
                                 " is already registered as '" + same_type->second.name +
                                 "', so it cannot also be '" + name + "'");
  }
  return false;
}

std::optional<codec> find(const std::type_info& type) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_type.find(type);
  return it == r.by_type.end() ? std::nullopt : std::optional<codec>(it->second);
}

std::optional<codec> find(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_name.find(name);
  return it == r.by_name.end() ? std::nullopt : std::optional<codec>(it->second);
}
}  // namespace

void detail::register_message_codec(std::string name, const std::type_info& type,
                                    message_writer write, message_reader read) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (already_registered(r, name, type)) return;
  codec c{name, &type, write, read};
  r.by_type.emplace(std::type_index(type), c);
  r.by_name.emplace(std::move(name), std::move(c));
}

detail::bounded_input_archive::bounded_input_archive(std::string_view bytes)
    : InputArchive(this), bytes_(bytes) {
  std::uint8_t writer_little_endian = 0;
  (*this)(writer_little_endian);
  if (writer_little_endian > 1) {
    throw cereal::Exception("byte order flag is " + std::to_string(writer_little_endian) +
                            ", not 0 or 1");
  }
  swap_ = (writer_little_endian == 1) != (std::endian::native == std::endian::little);
}

void detail::bounded_input_archive::check_size(std::uint64_t count) const {
  if (count > remaining()) {
    throw cereal::Exception("a size of " + std::to_string(count) + " with only " +
                            std::to_string(remaining()) + " bytes left");
  }
}

void detail::bounded_input_archive::check_finished() const {
  if (remaining() != 0) throw cereal::Exception(std::to_string(remaining()) + " bytes left over");
}

void detail::bounded_input_archive::take(void* data, std::size_t size) {
  if (size > remaining()) {
    throw cereal::Exception("needs " + std::to_string(size) + " bytes with only " +
                            std::to_string(remaining()) + " left");
  }
  if (size == 0) return;  // data may be null (an empty vector's)
  std::memcpy(data, bytes_.data() + position_, size);
  position_ += size;
}

std::optional<serialized_message> serialize(const message& msg) {
  auto c = find(msg.type());
  if (!msg || !c) return std::nullopt;
  return serialized_message{c->name, c->write(*msg.view())};
}

message deserialize(const serialized_message& wire) {
  auto c = find(std::string_view(wire.type_name));
  if (!c) throw unknown_message_type("no message type is registered as '" + wire.type_name + "'");
  try {
    return message(c->read(wire.bytes));
  } catch (const malformed_message& e) {
    throw malformed_message("malformed '" + wire.type_name + "' message: " + e.what());
  }
}

}  // namespace thespis
