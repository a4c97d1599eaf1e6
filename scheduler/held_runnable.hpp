// What a running activation and its worker tell each other through the worker's slot: the send
// path, that a push found its receiver already scheduled; the scheduler, that the runnable may
// stay scheduled when it runs out of work (keep_open_offered(), below).
//
// Why: a runnable scheduled from inside an activation waits in the worker's `next` slot and runs
// on that worker once the activation ends — a message's receiver runs where the message is hot.
// But an activation that goes on sending to it (a producer's loop, a pipeline's source) keeps it
// waiting there for the whole loop while another worker may idle: after enough such pushes the
// waiting runnable is handed to the worker's deque, where an idle worker can take it and handle
// the messages while they are being sent.
#pragma once

#include "scheduler/runnable.hpp"

namespace thespis::detail {

/// The calling thread's worker slot while it runs an activation of a tbb_scheduler (null on
/// every other thread). Owned by that scheduler.
struct held_runnable_slot {
  runnable* next = nullptr;        // runs right after the current activation, if any
  unsigned pushes_while_held = 0;  // pushes to `next` since it was put there
  void (*release)(held_runnable_slot&) noexcept = nullptr;  // hands `next` to the deque
  // The runnable that may report run_result::kept_open (see keep_open_offered()), if any, and
  // whether the scheduler would keep it open now: asked only when the runnable would take the
  // offer, since the answer reads lines that other threads write.
  const runnable* keep_open_candidate = nullptr;
  bool (*may_keep_open)(held_runnable_slot&) noexcept = nullptr;
};
inline thread_local held_runnable_slot* current_held_slot = nullptr;

/// True if the scheduler offers `r`, running now, to stay scheduled when it runs out of work
/// (run_result::kept_open) rather than go idle. It does for a runnable woken from outside the
/// pool while others woken so wait: a thread outside feeding actors one message each
/// (fork_join) found them idle, and scheduled one, for most of its messages — a push into the
/// drainers' queue and a fence on the thread that bounds the whole run's rate. Kept open, the
/// actor's next message is a plain push, and a worker pays for the re-queue instead. Only an
/// activation that handled something should ask: one that finds nothing goes idle, so an actor
/// no longer fed is visited once more, and an idle system still sleeps. The offer is for `r`
/// alone: not for what its activation chains, nor for a runnable of another scheduler that the
/// activation runs nested (an inline scheduler driven from a handler).
inline bool keep_open_offered(const runnable& r) noexcept {
  held_runnable_slot* slot = current_held_slot;
  return slot != nullptr && slot->keep_open_candidate == &r && slot->may_keep_open(*slot);
}

/// True if an offer to stay scheduled may be made to `r`: the cheap half of
/// keep_open_offered(), for a runnable that keeps its own account of the offers it took.
inline bool may_be_offered_to_keep_open(const runnable& r) noexcept {
  const held_runnable_slot* slot = current_held_slot;
  return slot != nullptr && slot->keep_open_candidate == &r;
}

/// How many pushes to a held runnable let it go: more than a handler that answers or forwards a
/// few messages makes (ping-pong and request-reply push once per activation, and to an idle
/// receiver), few against a loop of thousands.
inline constexpr unsigned release_after_pushes = 128;

/// Called after a push found `receiver` already scheduled.
inline void note_push_to_scheduled(runnable& receiver) noexcept {
  held_runnable_slot* slot = current_held_slot;
  if (slot != nullptr && slot->next == &receiver &&
      ++slot->pushes_while_held == release_after_pushes)
    slot->release(*slot);
}

}  // namespace thespis::detail
