// Supervision: what a parent does when a child's handlers keep failing.
#pragma once

#include <chrono>

namespace thespis {

/// How a parent restarts its supervised children after a failure.
enum class restart_strategy {
  one_for_one,  ///< only the child that failed is restarted
  all_for_one,  ///< every child created with all_for_one under the same parent is restarted
};

/// Chosen by a parent per child at creation: `create_actor<worker>(supervision{…}, args…)`.
///
/// A failure is Thespian's: a message whose handler threw twice in a row (the PoisonMessage
/// still goes to its sender, as for any actor). Without supervision the actor then goes on with
/// its next message. A supervised child is restarted instead: its instance is destroyed and
/// built again from the same constructor arguments (copied: they must be copyable); its address,
/// mailbox and watchers stay, its children, pending wakeups and awaited replies do not. Past
/// `max_restarts` within `within`, the child exits (exit_reason::failed) and the failure
/// escalates: the parent counts as failed itself — restarted by its own supervision, if its
/// parent chose one, else exiting with exit_reason::failed.
struct supervision {
  restart_strategy strategy = restart_strategy::one_for_one;
  unsigned max_restarts = 3;
  std::chrono::milliseconds within{std::chrono::seconds(10)};
};

}  // namespace thespis
