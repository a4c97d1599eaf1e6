#include "core/message.hpp"

#include "core/detail/type_name.hpp"
#include "core/system_messages.hpp"

namespace thespis {

std::string message::type_name() const {
  return detail::type_name(type());
}

void message::throw_bad_cast(const std::type_info& wanted) const {
  std::string held = type_name();
  if (const auto* poison = try_get<poison_message>()) {
    held += " (" + poison->error_type + ": " + poison->what + ")";
  }
  throw bad_message_cast(held, detail::type_name(wanted));
}

}  // namespace thespis
