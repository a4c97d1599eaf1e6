#include "core/shutdown_report.hpp"

namespace thespis {

std::string_view to_string(unfinished_reason reason) noexcept {
  switch (reason) {
    case unfinished_reason::busy_in_handler:
      return "busy in a handler";
    case unfinished_reason::waiting_for_children:
      return "waiting for its children";
    case unfinished_reason::waiting_for_a_worker:
      return "waiting for a worker";
    case unfinished_reason::waiting_for_a_full_mailbox:
      return "waiting for a full mailbox to drain";
  }
  return "unknown";
}

std::string shutdown_report::to_string() const {
  std::string lines;
  for (const auto& actor : unfinished) {
    lines += actor.actor.to_string() + " (" + actor.actor_class +
             "): " + std::string(thespis::to_string(actor.reason));
    if (actor.waiting_on) lines += " (" + actor.waiting_on.to_string() + ")";
    lines += '\n';
  }
  return lines;
}

}  // namespace thespis
