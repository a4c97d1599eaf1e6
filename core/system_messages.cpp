#include "core/system_messages.hpp"

namespace thespis {

std::string_view to_string(exit_reason reason) noexcept {
  switch (reason) {
    case exit_reason::requested:
      return "requested";
    case exit_reason::idle:
      return "idle";
    case exit_reason::shutdown:
      return "shutdown";
    case exit_reason::capability_lost:
      return "capability lost";
    case exit_reason::construction_failed:
      return "construction failed";
    case exit_reason::failed:
      return "failed";
    case exit_reason::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace thespis
