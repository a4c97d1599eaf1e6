#include "core/message.hpp"

#include "core/detail/type_name.hpp"

namespace thespis {

std::string message::type_name() const {
  return detail::type_name(type());
}

}  // namespace thespis
