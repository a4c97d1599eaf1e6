// The runtime side of one actor: its mailbox, its instance, and the activation loop that feeds
// one to the other. Shared by the in-process bases.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <typeinfo>

#include "core/actor.hpp"
#include "core/detail/actor_context.hpp"
#include "core/detail/address_target.hpp"
#include "core/detail/envelope.hpp"
#include "mailbox/mpsc_mailbox.hpp"
#include "scheduler/runnable.hpp"

namespace thespis::detail {

class runtime;

/// Hosts one actor. Its address, its runnable and its context are this one object.
/// Thread-safety: deliver() from any thread; run() by the scheduler, never on two threads at
/// once (the mailbox's blocked state admits one activation at a time); the actor_context
/// members only from inside the actor.
class actor_cell final : public address_target, public runnable, public actor_context {
 public:
  /// A cell that will build its actor with `factory` in its first activation.
  actor_cell(runtime& rt, address_id id, std::unique_ptr<actor_factory> factory);

  /// Builds the actor now, on the calling thread; constructor exceptions propagate.
  void construct();

  /// After construct(), before the cell was ever scheduled: marks it idle unless its
  /// constructor already sent it messages. Returns true if it needs no scheduling.
  bool try_idle() noexcept { return mailbox_.try_block(); }

  /// Returns the class of the hosted actor.
  const std::type_info& actor_type() const noexcept { return *type_; }

  /// Marks that shutdown has asked this actor to exit; returns false if it had already.
  bool mark_exit_requested() noexcept {
    return !exit_requested_.exchange(true, std::memory_order_relaxed);
  }

  // -- address_target -----------------------------------------------------------------------
  void deliver(envelope* env) noexcept override;

  // -- runnable -----------------------------------------------------------------------------
  run_result run() noexcept override;
  void retain() noexcept override { add_ref(); }
  void release() noexcept override { release_ref(); }

  // -- actor_context ------------------------------------------------------------------------
  address self() noexcept override;
  address spawn(std::unique_ptr<actor_factory> factory) override;
  address spawn(std::string_view type_name) override;
  void undeliverable(envelope* env) noexcept override;

 private:
  ~actor_cell() override;

  bool start() noexcept;
  void handle(envelope* env) noexcept;
  std::exception_ptr try_receive(message& msg, const address& sender) noexcept;
  void return_poison(message msg, const address& sender, std::exception_ptr error);
  void exit() noexcept;

  // set at construction
  runtime& runtime_;
  const std::type_info* type_;

  // owner (the running activation) only
  std::unique_ptr<actor_factory> factory_;  // until the actor is built
  std::unique_ptr<actor> instance_;
  bool exited_ = false;

  // shared
  mpsc_mailbox<envelope> mailbox_{mpsc_mailbox<envelope>::initial_state::open};
  // Hands the actor's state from one activation to the next when the scheduler re-queues a
  // yielded activation. The scheduler synchronizes that hand-off itself, but through code a
  // sanitizer may not see (an uninstrumented pool); this pair makes it explicit and is one
  // uncontended store and load per activation.
  std::atomic<unsigned> handoff_{0};
  std::atomic<bool> exit_requested_{false};
};

}  // namespace thespis::detail
