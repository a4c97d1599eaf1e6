// The runtime side of one actor: its mailbox, its instance, its place in the actor tree, and
// the activation loop that feeds messages to it. Shared by the in-process bases.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bases/common/child_list.hpp"
#include "bases/common/id_directory.hpp"
#include "bases/common/live_registry.hpp"
#include "bases/common/mailbox_pressure.hpp"
#include "bases/common/sender_references.hpp"
#include "bases/common/wakeup_queue.hpp"
#include "core/actor.hpp"
#include "core/detail/actor_context.hpp"
#include "core/detail/address_target.hpp"
#include "core/detail/envelope.hpp"
#include "core/shutdown_report.hpp"
#include "mailbox/mpsc_mailbox.hpp"
#include "scheduler/runnable.hpp"
#include "scheduler/slot_map.hpp"
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
  std::uint32_t tag = 0;  // which arming sent it: a check from before a restart is ignored
};

/// The timer service's timer for an actor's earliest wakeup fired: time to take the due ones.
struct wakeups_due {
  using thespis_system_message = void;
  std::uint32_t tag = 0;  // which arming sent it: an older one's notice only takes what is due
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
  // Sent by a watched actor that is gone, right behind its actor_exited: the watcher forgets it
  // (its entry in `watching` kept the gone actor's cell allocated until the watcher exited).
  bool sender_gone = false;
};

/// Where a cell's thread is in the actor's own code (actor_cell::in_actor_code_).
enum class actor_code : std::uint8_t {
  none,
  constructor,
  receiving,  // receive() or a reply handler: handlers it registers wait until it returns
  // Receiving, with work for when it returns: it registered handlers (defer_handler_change), or
  // made a request, whose then() must come before it returns (next_request).
  handlers_changed,
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
    exit_reason_ = exit_reason::construction_failed;  // its mail by id is not handed back
    finish();
    holds_last_reference_ = false;
    release_surplus_refs(1);  // the registry's, taken over by finish(); the caller holds another
  }

  /// Returns the class of the hosted actor.
  const std::type_info& actor_type() const noexcept {
    // acquire: as in rare()
    const std::uintptr_t word = rare_.word.load(std::memory_order_acquire);
    if (word & rare_owner::type_tag) {
      return *reinterpret_cast<const std::type_info*>(word & ~rare_owner::type_tag);
    }
    return *reinterpret_cast<const rare_state*>(word)->type;
  }

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
  bool deliver_unless_closed(envelope* env) noexcept override;

  // -- runnable: the schedulers' run_function -----------------------------------------------
  static run_result activate(runnable& cell) noexcept {
    return static_cast<actor_cell&>(cell).run();
  }

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
  intrusive_ptr<address_target> parked_on() const noexcept override {
    auto* p = pressure();
    return p ? p->parked_on() : intrusive_ptr<address_target>{};
  }
  bool wait_until_drained(std::function<void()> wake) override {
    auto* p = pressure();
    return p && p->wait(std::move(wake), *this);
  }
  void set_troupe_work_in_progress(bool busy) noexcept override { troupe_busy_ = busy; }
  void undeliverable(envelope* env) noexcept override;
  void give_back_unhandled(envelope* env) noexcept override;
  void count_unhandled(const std::type_info& message_type) noexcept override;
  bool defer_handler_change() noexcept override;
  void send_by_id(const std::type_info& type, std::string id, envelope* env) override;
  address spawn_with_id(const std::type_info& type, std::string id,
                        std::unique_ptr<actor_factory> factory, spawn_request* request) override;
  void direct(const std::type_info& type, bool start) override;
  void watch(const address& target, bool start) override;
  void keep_state(std::string state) override;
  std::optional<std::string> take_kept_state() override;

  // -- send_port: typed references the actor makes send as it ---------------------------------
  void post(const destination& to, envelope* env) override;
  asked ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) override;
  std::uint64_t next_request() noexcept override;
  void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                    std::function<void(call_reply&)> resume) override;
  address reply_address(std::uint64_t request, const std::type_info& expected) override;

 private:
  run_result run() noexcept;
  // Out of line: only activations a drainer runs get this far (see run()).
  [[gnu::noinline]] bool stays_open(unsigned handled) noexcept;
  static constexpr unsigned char offers_declined_after_a_look_in_vain = 8;
  run_result stay_scheduled(run_result result) noexcept;
  ~actor_cell() override;
  void destroy() const noexcept override;

  bool start() noexcept;
  void handle(envelope* env) noexcept;
  bool handle_system_message(message& msg, const address& sender) noexcept;
  void handle_while_exiting(envelope* env) noexcept;
  void deliver_to_actor(message& msg, const address& sender) noexcept;
  [[gnu::cold, gnu::noinline]] void retry_after_failure(message& msg,
                                                        const address& sender) noexcept;
  std::exception_ptr try_receive(message& msg, const address& sender) noexcept;
  [[gnu::cold, gnu::noinline]] void install_changed_handlers(std::exception_ptr& error) noexcept;
  [[gnu::cold, gnu::noinline]] void install_after_message(std::exception_ptr& error) noexcept;
  void close_requests() noexcept;
  void return_poison(message msg, const address& sender, std::exception_ptr error);
  void begin_exit(bool recursive) noexcept;
  void finish() noexcept;
  // Cancels pending wakeups, the transient check and awaited replies' timeouts (the wakeup
  // numbering goes on: see timing::wakeups). On exit and on restart.
  void drop_pending_timers() noexcept;
  // Where make_at() builds the actor: right after the cell, at the alignment operator new
  // gives (a more aligned class is built on the heap).
  static constexpr std::size_t room_offset() noexcept {
    constexpr std::size_t align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;
    return (sizeof(actor_cell) + align - 1) / align * align;
  }
  void* instance_room() const noexcept {
    return const_cast<char*>(reinterpret_cast<const char*>(this)) + room_offset();
  }
  void destroy_instance() noexcept;
  void drop_unbuilt_factory() noexcept;  // deletes the factory if it never built the actor
  run_result end_exited() noexcept;
  bool forget_child(const address& child) noexcept;
  void reply_status(const address& to) noexcept;
  void note_activity() noexcept;
  void arm_transient_timer(timer_service::time_point deadline);
  struct timing;  // below, with the state
  void arm_wakeup_timer(timing& t, timer_service::time_point deadline, envelope* notice);
  void take_due_wakeups(message& notice) noexcept;
  void check_transient(std::uint32_t tag) noexcept;
  bool park() noexcept;
  void unpark() noexcept;
  // links: ids, watchers, replies (actor_cell_links.cpp)
  const id_key* key() const noexcept;
  // True if `env` is mail for this actor's id, kept for the id's next actor when this one is
  // gone or going (sent by id, and this actor has one).
  bool is_mail_for_the_id(const envelope* env) const noexcept {
    return env->routed_by_id() && key() != nullptr;
  }
  bool handle_link_message(message& msg, const address& sender) noexcept;
  void keep_unread(envelope* env) noexcept;
  // Makes a call_reply that nobody awaits a dead letter, as its replier sent it.
  void dead_reply(envelope* env, const address& sender) noexcept;
  bool hand_back_to_leader(envelope* env) noexcept;
  void deliver_after_close(envelope* env) noexcept;
  [[gnu::cold, gnu::noinline]] void deliver_to_closed(envelope* env) noexcept;
  static bool is_own_timer(envelope* env) noexcept;
  void announce_exit() noexcept;
  void tell_watcher(const address& watcher, exit_reason why) noexcept;
  void forget_watched(const address& target) noexcept;
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

  // shared: the producers' end of the mailbox. The cell starts a cache line (room_for() rounds
  // blocks to lines), and this line holds only the bases and fields set at construction or
  // rarely written: the consumer half and the fields written per message (from `batch_` on)
  // are on the next one, off the line every sender CASes (see mpsc_mailbox_head).
  mpsc_mailbox_head<envelope> mailbox_{mpsc_mailbox_head<envelope>::initial_state::open};

  // set at construction
  runtime& runtime_;

  // Rarely written, and not read per message: they share the mailbox's cache line.
  address parent_;  // owner only: null once orphaned or for top-level actors
  // guarded by its live_registry shard's lock: the cell's slot there
  friend class live_registry;
  std::uint32_t registry_slot_ = live_registry::no_slot;

  // owner (the running activation) only
  struct timing {
    // Pending wakeups, by handle. Kept across restarts (emptied): a wakeup that fired for the
    // old instance must not match a handle the new one was given, and the queue never issues a
    // key twice.
    wakeup_queue wakeups;
    // The service's one timer for them, at the earliest deadline; timer_id{} when not armed.
    timer_id wakeup_timer{};
    // Numbers the transient checks; it too keeps counting across restarts. 32 bits, as
    // wakeup_tag (below) is: a stale check would have to wait behind 4 billion re-armings.
    std::uint32_t last_transient = 0;
    std::uint32_t transient_tag = 0;  // the armed transient check's number
    // Transient actors: exit `transient_after` after the first message, or that long idle.
    std::chrono::nanoseconds transient_after{0};
    bool transient_idle = false;
    bool transient_armed = false;
    // The tag the wakeup timer's notice carries (counting on across restarts, as
    // last_transient does). 32 bits, beside the flags: the block then fits a smaller malloc
    // size, and a stale notice would have to wait behind 4 billion re-armings to be mistaken.
    std::uint32_t wakeup_tag = 0;
    timer_service::time_point last_activity{};
    timer_id transient_timer{};
  };
  // An actor with one wakeup pending pays for this block: 120 bytes fit glibc's 128-byte chunk
  // (136 took a 144-byte one).
  static_assert(sizeof(timing) <= 120);
  struct links {                    // owner only
    std::vector<address> watchers;  // told actor_exited when this actor is gone
    // The actors it watches, told to forget it on exit; each leaves when its exit notice comes.
    // A hash set: a long-lived watcher of many short-lived actors drops one per notice, and a
    // vector's search made that quadratic.
    std::unordered_multiset<address> watching;
    std::vector<envelope*> unread_by_id;  // mail by id that reached it while exiting, in order
    bool directs = false;                 // it registered as a director
    struct awaited_reply {
      std::function<void(call_reply&)> resume;
      timer_id timeout;
    };
    std::unordered_map<std::uint64_t, awaited_reply> awaited;  // requests, by number
    // Requests numbered below it were made by handlers that have returned: then() for one is
    // refused (its reply may have come, and gone to the dead letters, in between).
    std::uint64_t then_closed_below = 0;
    // Vectors, not deques: an empty std::deque allocates (a map and a 512-byte chunk).
    std::vector<timer_service::time_point> restarts;        // own, within the policy's window
    std::vector<timer_service::time_point> group_restarts;  // of the all_for_one children
    std::vector<address> all_for_one_children;
  };
  // Rarely used state, in one allocation made only for the actors that use it, so that a plain
  // actor's cell stays small: made at construction for a name, requirements, an id key or a
  // mailbox limit; else by the owner when the actor first sets a wakeup or becomes transient,
  // is watched, directs, asks, is supervised, spawns a child or exits by id. Its timing
  // and links parts are made on their own when first needed: an actor that arms one wakeup
  // (a transient one, say) pays for its timers, not for watchers, asks and restart histories.
  struct rare_state : small_object {  // from the slabs: made on one thread, often freed on another
    // set when made, then read-only: any thread may read them
    const std::type_info* type = nullptr;  // the actor's class (see rare_owner)
    struct settings {
      std::string global_name;
      requirements required;
      std::optional<id_key> key;  // bound to (class, id): by_id<T>(id) reaches it
    };
    std::unique_ptr<const settings> set;         // null if none was given at creation
    std::unique_ptr<mailbox_pressure> pressure;  // the system limits mailboxes
    // owner only; null until first needed
    std::unique_ptr<timing> timers;
    std::unique_ptr<links> link;
    child_list children;  // live children, in creation order
    // A supervised actor's: a restart builds it again. A heap-built actor's until first built.
    std::unique_ptr<actor_factory> factory;
    actor* instance = nullptr;  // the actor, when not at the room's start (see instance())
  };
  // One word for the actor's class and the rare state (an idle actor's size counts): until the
  // state is made, the class's type_info with the low bit set (type_info is pointer-aligned);
  // then the state, which holds the class too. Made once, never replaced, deleted with the
  // cell. Read by any thread (name(), key(), pressure(), actor_type()), so atomic: the owner
  // may make the state while others look. It sits on the senders' line (the cell's first), so
  // handling a plain message must not read it: the pipeline at 2 workers read 36 -> 60 ns/item
  // while handle() looked for transient timing here on every message (see transient_).
  struct rare_owner {
    static constexpr std::uintptr_t type_tag = 1;
    std::atomic<std::uintptr_t> word;
    ~rare_owner() {
      const std::uintptr_t w = word.load(std::memory_order_relaxed);
      if (!(w & type_tag)) delete reinterpret_cast<rare_state*>(w);
    }
  };
  static_assert(alignof(std::type_info) > rare_owner::type_tag);
  rare_owner rare_;
  static std::uintptr_t make_rare(const std::type_info& type, std::size_t mailbox_limit,
                                  std::string global_name, requirements required, const id_key* key,
                                  bool heap_built);
  // acquire: pairs with the release in rare_made(), so a reader sees the block's fields.
  rare_state* rare() const noexcept {
    const std::uintptr_t word = rare_.word.load(std::memory_order_acquire);
    return word & rare_owner::type_tag ? nullptr : reinterpret_cast<rare_state*>(word);
  }
  rare_state& rare_made();  // owner only
  timing& timing_state();   // owner only: made when first needed
  links& links_state();     // owner only: made when first needed
  timing* timing_made() const noexcept {
    const rare_state* r = rare();
    return r ? r->timers.get() : nullptr;
  }
  links* links_made() const noexcept {
    const rare_state* r = rare();
    return r ? r->link.get() : nullptr;
  }
  // The live children (owner only). In the rare state: most actors never have one.
  bool no_children() const noexcept {
    const rare_state* r = rare();
    return r == nullptr || r->children.empty();
  }
  template <class F>
  void for_each_child(F&& f) const {
    if (const rare_state* r = rare()) r->children.for_each(f);
  }
  // Calls f for each child, then forgets them all.
  template <class F>
  void let_go_of_children(F&& f) noexcept {
    if (rare_state* r = rare()) {
      r->children.for_each(f);
      r->children.clear();
    }
  }
  // Null without a mailbox limit. deliver() asks on every message: it reads the runtime's
  // configuration, on a line no one writes, rather than a flag here, on a line the owner writes.
  mailbox_pressure* pressure() const noexcept;

  // The actor: built in the room after the cell (instance_room()), or on the heap for an
  // over-aligned or huge class, or — when the room's start is not its `actor` part (multiple
  // inheritance) — with its address in rare_state. Before it is first built, the room holds the
  // factory (owned) instead: an idle actor's size counts, so no word of the cell holds either.
  // A supervised actor's factory moves to rare_state for restarts; a heap-built one's starts
  // there.
  actor_factory* factory() const noexcept {
    if (!built_ && room_bytes_ != 0) return unbuilt_factory_in_room();
    const rare_state* r = rare();
    return r ? r->factory.get() : nullptr;
  }
  actor* instance() noexcept {
    if (!has_instance_) return nullptr;
    if (instance_in_rare_) return rare()->instance;
    return std::launder(reinterpret_cast<actor*>(instance_room()));
  }
  actor_factory* unbuilt_factory_in_room() const noexcept {
    return *std::launder(reinterpret_cast<actor_factory* const*>(instance_room()));
  }
  void put_factory_in_room(actor_factory* f) noexcept { ::new (instance_room()) actor_factory*(f); }

  envelope* batch_ = nullptr;  // the mailbox's consumer half: messages taken, oldest first
  // owner only; the room's size is set at construction, then read by the owner and by destroy()
  // (after the last reference is gone). One word for both: an idle actor's size counts.
  std::uint64_t processed_ : 48 = 0;  // messages given to the actor (status)
  std::uint64_t room_bytes_ : 16;     // the actor's room after the cell (0: none)

  // The small fields live in senders_'s tail padding (the cell is one allocation per actor).
  [[no_unique_address]] sender_references senders_;  // of the messages handled last
  // owner only: bits of one byte, which no other thread reads or writes
  bool troupe_member_ : 1;                // made by a troupe's leader; set at construction
  bool built_ : 1 = false;                // the factory is spent: it built the actor once, or the
                                          // actor ended unbuilt (see factory())
  bool has_instance_ : 1 = false;         // the actor is built and not destroyed (see instance())
  bool instance_in_rare_ : 1 = false;     // its address is in rare_state (see instance())
  bool troupe_busy_ : 1 = false;          // a troupe member's work in progress
  bool exiting_ : 1 = false;              // the exit handler ran; waiting for the children to exit
  bool exited_ : 1 = false;               // gone: mailbox closed, instance destroyed
  bool dead_letter_handler_ : 1 = false;  // it registered as the dead-letter handler once
  // The registry's reference, taken over by finish(): the activation that exits drops it last
  // thing (the scheduler holds none), so the cell is not freed while its activation runs.
  bool holds_last_reference_ : 1 = false;
  // timing_state().transient_after is set: each message counts as activity. A flag here, so
  // that handling a message reads nothing of the rare state, on the line senders write.
  bool transient_ : 1 = false;
  // The scheduler's offer to stay scheduled (see run()): the last activation took it, so this
  // one is a second look; and how many offers to decline after a look that found nothing.
  bool kept_open_ : 1 = false;
  unsigned char offers_to_decline_ : 4 = 0;
  exit_reason exit_reason_ = exit_reason::requested;  // what watchers will be told; owner only
  // shared
  std::atomic<bool> exit_requested_{false};
  // Relaxed: written and read by the owner (one thread at a time: the scheduler orders its
  // activations), and read as a snapshot for shutdown's report.
  // Its constructor, receive() or a reply handler.
  std::atomic<actor_code> in_actor_code_{actor_code::none};
  std::atomic<bool> awaiting_children_{false};  // the exit handler ran; children still live

#if THESPIS_THREAD_SANITIZER
  // Hands the actor's state from one activation to the next when the scheduler re-queues a
  // yielded or kept-open activation. The scheduler synchronizes that hand-off itself, but through
  // code the sanitizer may not see (an uninstrumented pool); this pair makes it explicit for it.
  // Only in sanitized builds: elsewhere it would cost every cell a word.
  std::atomic<unsigned> handoff_{0};
#endif
};

}  // namespace thespis::detail
