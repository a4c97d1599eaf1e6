#include "core/serialization.hpp"

#include <map>
#include <mutex>
#include <typeindex>

namespace thespis {

namespace {
struct codec {
  std::string name;
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
  codec c{name, write, read};
  r.by_type[std::type_index(type)] = c;
  r.by_name[std::move(name)] = c;
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
  } catch (const cereal::Exception& e) {
    throw malformed_message("malformed '" + wire.type_name + "' message: " + e.what());
  }
}

}  // namespace thespis
