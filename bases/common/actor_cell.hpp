// The runtime side of one actor: its mailbox, its instance, its place in the actor tree, and
// the activation loop that feeds messages to it. Shared by the in-process bases.
#pragma once

#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "bases/common/child_list.hpp"
#include "bases/common/id_directory.hpp"
#include "bases/common/mailbox_pressure.hpp"
#include "bases/common/sender_references.hpp"
#include "bases/common/slot_map.hpp"
#include "core/actor.hpp"
#include "core/detail/actor_context.hpp"
#include "core/detail/address_target.hpp"
#include "core/detail/envelope.hpp"
#include "core/shutdown_report.hpp"
#include "mailbox/mpsc_mailbox.hpp"
#include "scheduler/runnable.hpp"
#include "scheduler/timer_service.hpp"

// ThreadSanitizer: GCC says so with a macro, clang with __has_feature.
#if defined(__SANITIZE_THREAD__)
#define THESPIS_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THESPIS_THREAD_SANITIZER 1
#endif
#endif
#ifndef THESPIS_THREAD_SANITIZER
#define THESPIS_THREAD_SANITIZER 0
#endif

namespace thespis::detail {

class runtime;

/// Sent by a supervised child to its parent when a failure restarted it (all_for_one: restart
/// the siblings too) or when it gave up past its limit (the parent fails in turn).
struct child_failed {
  using thespis_system_message = void;
  address child;
  bool gave_up = false;
  supervision policy;
};

/// A transient actor's timer fired: time to look whether it should exit.
struct transient_check {
  using thespis_system_message = void;
  std::uint64_t tag = 0;  // which arming sent it: a check from before a restart is ignored
};

/// Sent by a parent to an all_for_one sibling of a child that failed.
struct restart_request {
  using thespis_system_message = void;
};

/// Sent by actor_context::watch to the watched actor's cell (the sender is the watcher); the
/// actor never sees it.
struct watch_request {
  using thespis_system_message = void;
  bool start = true;  // false: stop watching
};

/// Hosts one actor. Its address, its runnable and its context are this one object.
/// Thread-safety: deliver() from any thread; run() by the scheduler, never on two threads at
/// once (the mailbox's blocked state admits one activation at a time); the actor_context
/// members only from inside the actor.
class actor_cell final : public actor_context, public runnable {
 public:
  /// A cell that will build its actor with `factory`; `parent` is null for top-level actors.
  /// `key` binds the cell to a (class, id) route; null for the others.
  /// Allocate it with `new (actor_cell::room_for(*factory)) actor_cell(...)`: the actor is then
  /// built inside the cell's own allocation.
  actor_cell(runtime& rt, address_id id, std::unique_ptr<actor_factory> factory, address parent,
             std::string global_name, requirements required, const id_key* key = nullptr);

  /// The room a cell needs after it for the actor `factory` builds (none for an over-aligned
  /// actor class, which gets its own allocation).
  struct room {
    std::size_t bytes;
  };
  static room room_for(const actor_factory& factory) noexcept;
  static void* operator new(std::size_t cell_bytes, room r);
  static void operator delete(void* p, room r) noexcept;  // the constructor threw
  static void operator delete(void* p) noexcept;          // never called: see destroy()

  /// Builds the actor now, on the calling thread; constructor exceptions propagate.
  void construct();

  /// After construct(), before the cell was ever scheduled: marks it idle unless its
  /// constructor already sent it messages. Returns true if it needs no scheduling.
  bool try_idle() noexcept { return mailbox_.try_block(batch_); }

  /// Ends a cell whose top-level construction failed: its mail becomes dead letters.
  void abandon() noexcept {
    finish();
    holds_last_reference_ = false;
    release_surplus_refs(1);  // the registry's, taken over by finish(); the caller holds another
  }

  /// Returns the class of the hosted actor.
  const std::type_info& actor_type() const noexcept { return *type_; }

  /// Returns the name given at creation, or "". Set at construction; thread-safe.
  const std::string& name() const noexcept;

  /// Marks that shutdown has asked this actor to exit; returns false if it had already.
  bool mark_exit_requested() noexcept {
    return !exit_requested_.exchange(true, std::memory_order_relaxed);
  }

  /// True if the actor ever registered as the dead-letter handler. Owner only (its activation).
  bool was_dead_letter_handler() const noexcept { return dead_letter_handler_; }

  /// For shutdown's report: why this live actor has not exited yet. A snapshot; thread-safe.
  unfinished_reason unfinished_because() const noexcept;

  // -- address_target -----------------------------------------------------------------------
  void deliver(envelope* env) noexcept override;

  // -- runnable -----------------------------------------------------------------------------
  run_result run() noexcept override;

  // -- actor_context ------------------------------------------------------------------------
  address self() noexcept override;
  address spawn(std::unique_ptr<actor_factory> factory) override;
  address spawn(std::string_view type_name) override;
  address spawn_named(std::string name, std::unique_ptr<actor_factory> factory) override;
  address parent() const noexcept override { return parent_; }
  const std::string& global_name() const noexcept override { return name(); }
  void handle_dead_letters(bool start) override;
  capability_map capabilities() const override;
  const requirements& required() const noexcept override;
  void update_capability(std::string name, std::optional<capability_value> value) override;
  wakeup_handle wakeup_after(std::chrono::nanoseconds delay, message payload) override;
  bool cancel_wakeup(wakeup_handle handle) noexcept override;
  void set_transient(std::chrono::nanoseconds after, bool idle) override;
  void log(log_level level, std::string_view text) override;
  bool back_pressure() const noexcept override { return pressure() != nullptr; }
  void slow_down_for(address_target& target) noexcept override;
  bool congested() const noexcept override {
    auto* p = pressure();
    return p && p->congested();
  }
  bool parked() const noexcept override {
    auto* p = pressure();
    return p && p->parked();
  }
  bool wait_until_drained(std::function<void()> wake) override {
    auto* p = pressure();
    return p && p->wait(std::move(wake));
  }
  void set_troupe_work_in_progress(bool busy) noexcept override { troupe_busy_ = busy; }
  void undeliverable(envelope* env) noexcept override;
  void give_back_unhandled(envelope* env) noexcept override;
  void send_by_id(const std::type_info& type, std::string id, envelope* env) override;
  address spawn_with_id(const std::type_info& type, std::string id,
                        std::unique_ptr<actor_factory> factory, spawn_request* request) override;
  void direct(const std::type_info& type, bool start) override;
  void watch(const address& target, bool start) override;
  void keep_state(std::string state) override;
  std::optional<std::string> take_kept_state() override;

  // -- send_port: typed references the actor makes send as it ---------------------------------
  void post(const destination& to, envelope* env) override;
  message ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) override;
  std::uint64_t next_request() noexcept override;
  void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                    std::function<void(call_reply&)> resume) override;

 private:
  ~actor_cell() override;
  void destroy() const noexcept override;

  bool start() noexcept;
  void handle(envelope* env) noexcept;
  bool handle_system_message(message& msg, const address& sender) noexcept;
  void handle_while_exiting(envelope* env) noexcept;
  void deliver_to_actor(message& msg, const address& sender) noexcept;
  std::exception_ptr try_receive(message& msg, const address& sender) noexcept;
  void return_poison(message msg, const address& sender, std::exception_ptr error);
  void begin_exit(bool recursive) noexcept;
  void finish() noexcept;
  // Cancels pending wakeups, the transient check and awaited replies' timeouts (the wakeup
  // numbering goes on: see timing::wakeups). On exit and on restart.
  void drop_pending_timers() noexcept;
  void* instance_room() noexcept;  // where make_at() builds the actor; needs factory()
  void destroy_instance() noexcept;
  run_result end_exited() noexcept;
  bool forget_child(const address& child) noexcept;
  void reply_status(const address& to) noexcept;
  void note_activity() noexcept;
  void arm_transient_timer(timer_service::time_point deadline);
  void check_transient(std::uint64_t tag) noexcept;
  bool park() noexcept;
  void unpark() noexcept;
  // links: ids, watchers, replies (actor_cell_links.cpp)
  const id_key* key() const noexcept;
  bool handle_link_message(message& msg, const address& sender) noexcept;
  void keep_unread(envelope* env) noexcept;
  void deliver_after_close(envelope* env) noexcept;
  static bool is_own_timer(envelope* env) noexcept;
  void announce_exit() noexcept;
  bool resume(call_reply& reply) noexcept;
  // supervision (actor_cell_supervision.cpp)
  bool supervised() const noexcept {
    const actor_factory* f = factory();
    return f && f->supervised;
  }
  void on_failure() noexcept;
  void on_child_failed(const child_failed& failure) noexcept;
  void fail_by_escalation() noexcept;
  void restart() noexcept;
  void tell_parent(child_failed failure) noexcept;

  // shared: the producers' end of the mailbox. First, so that its cache line holds only the
  // bases' and the fields below that are set at construction or rarely (the cell starts at a
  // multiple of 32 bytes): its consumer half and the fields written per message (from
  // `batch_` on) stay off the line every sender CASes (see mpsc_mailbox_head).
  mpsc_mailbox_head<envelope> mailbox_{mpsc_mailbox_head<envelope>::initial_state::open};

  // set at construction
  runtime& runtime_;
  const std::type_info* type_;

  // Rarely written, and not read per message: with the fields above, they share the mailbox's
  // cache line when the cell starts 32 bytes into a line. The fields the activation reads for
  // each message (from `rare_` on) stay off that line, which every sender's CAS takes away.
  address parent_;       // owner only: null once orphaned or for top-level actors
  child_list children_;  // owner only: live children, in creation order
  // guarded by the live_registry shard's mutex: the cell's links in its shard's list
  friend class live_registry;
  actor_cell* registry_prev_ = nullptr;
  actor_cell* registry_next_ = nullptr;

  // owner (the running activation) only
  struct timing {
    // Pending wakeups, by handle. Kept across restarts (emptied): a wakeup that fired for the
    // old instance must not match a handle the new one was given, and the map never issues a
    // key twice.
    slot_map<timer_id> wakeups;
    // Numbers the transient checks; it too keeps counting across restarts.
    std::uint64_t last_transient = 0;
    std::uint64_t transient_tag = 0;  // the armed transient check's number
    // Transient actors: exit `transient_after` after the first message, or that long idle.
    std::chrono::nanoseconds transient_after{0};
    bool transient_idle = false;
    bool transient_armed = false;
    timer_service::time_point last_activity{};
    timer_id transient_timer{};
  };
  struct links {                          // owner only
    std::vector<address> watchers;        // told actor_exited when this actor is gone
    std::vector<envelope*> unread_by_id;  // mail by id that reached it while exiting, in order
    bool directs = false;                 // it registered as a director
    struct awaited_reply {
      std::function<void(call_reply&)> resume;
      timer_id timeout;
    };
    std::unordered_map<std::uint64_t, awaited_reply> awaited;  // requests, by number
    std::uint64_t last_request = 0;
    std::deque<timer_service::time_point> restarts;        // own, within the policy's window
    std::deque<timer_service::time_point> group_restarts;  // of the all_for_one children
    std::vector<address> all_for_one_children;
  };
  // Rarely used state, in one allocation made only for the actors that use it, so that a plain
  // actor's cell stays small: made at construction for a name, requirements, an id key or a
  // mailbox limit; else by the owner when the actor first sets a wakeup or becomes transient,
  // is watched, directs, asks, is supervised, supervises all_for_one or exits by id.
  struct rare_state {
    // set when made, then read-only: any thread may read them
    std::string global_name;
    requirements required;
    std::optional<id_key> key;                 // bound to (class, id): by_id<T>(id) reaches it
    std::optional<mailbox_pressure> pressure;  // the system limits mailboxes
    // owner only
    timing timers;
    links link;
    std::unique_ptr<actor_factory> factory;  // a supervised actor's: a restart builds it again
  };
  // Null until made; never replaced, deleted with the cell. Read by any thread (name(), key(),
  // pressure()), so atomic: the owner may make it while others look.
  struct rare_owner {
    std::atomic<rare_state*> made;
    ~rare_owner() { delete made.load(std::memory_order_relaxed); }
  };
  rare_owner rare_;
  static rare_state* make_rare(std::size_t mailbox_limit, std::string global_name,
                               requirements required, const id_key* key);
  // acquire: pairs with the release in rare_made(), so a reader sees the block's fields.
  rare_state* rare() const noexcept { return rare_.made.load(std::memory_order_acquire); }
  rare_state& rare_made();  // owner only
  timing& timing_state() { return rare_made().timers; }
  links& links_state() { return rare_made().link; }
  // Null without a mailbox limit. deliver() asks on every message: it reads the runtime's
  // configuration, on a line no one writes, rather than a flag here, on a line the owner writes.
  mailbox_pressure* pressure() const noexcept;

  // Until the actor is built, its factory (owned); then the actor, built in instance_room() if
  // room_bytes_, else on the heap — null once destroyed. One word for both, as an idle actor's
  // size counts; a supervised actor's factory moves to rare_state for restarts.
  union {
    actor_factory* unbuilt_factory_;
    actor* instance_;
  };
  actor_factory* factory() const noexcept {
    if (!built_) return unbuilt_factory_;
    const rare_state* r = rare();
    return r ? r->factory.get() : nullptr;
  }
  actor* instance() const noexcept { return built_ ? instance_ : nullptr; }

  envelope* batch_ = nullptr;  // the mailbox's consumer half: messages taken, oldest first
  std::uint64_t processed_ = 0;
  [[no_unique_address]] sender_references senders_;   // of the messages handled last
  exit_reason exit_reason_ = exit_reason::requested;  // what watchers will be told; packed
                                                      // into senders_'s tail

  // The small fields, packed into one word (the cell is one allocation per actor: 160 bytes).
  // set at construction, then read by any thread: bytes of their own
  const std::uint16_t room_bytes_;  // the actor's room after the cell (0: none)
  const bool troupe_member_;        // made by a troupe's leader
  // owner only: bits of one byte, which no other thread reads or writes
  bool built_ : 1 = false;        // the factory has built the actor once (see unbuilt_factory_)
  bool troupe_busy_ : 1 = false;  // a troupe member's work in progress
  bool exiting_ : 1 = false;      // the exit handler ran; waiting for the children to exit
  bool exited_ : 1 = false;       // gone: mailbox closed, instance destroyed
  bool dead_letter_handler_ : 1 = false;  // it registered as the dead-letter handler once
  // The registry's reference, taken over by finish(): the activation that exits drops it last
  // thing (the scheduler holds none), so the cell is not freed while its activation runs.
  bool holds_last_reference_ : 1 = false;
  // shared
  std::atomic<bool> exit_requested_{false};
  // For shutdown's report only, so relaxed: written by the owner, read as a snapshot by the
  // thread that shuts down.
  std::atomic<bool> in_handler_{false};         // inside the actor's constructor or receive()
  std::atomic<bool> awaiting_children_{false};  // the exit handler ran; children still live

#if THESPIS_THREAD_SANITIZER
  // Hands the actor's state from one activation to the next when the scheduler re-queues a
  // yielded activation. The scheduler synchronizes that hand-off itself, but through code the
  // sanitizer may not see (an uninstrumented pool); this pair makes it explicit for it. Only
  // in sanitized builds: elsewhere it would cost every cell a word.
  std::atomic<unsigned> handoff_{0};
#endif
};

}  // namespace thespis::detail
