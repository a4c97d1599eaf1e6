#include "bases/common/actor_cell.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "bases/common/runtime.hpp"
#include "core/actor_type_registry.hpp"
#include "core/detail/envelope_allocator.hpp"
#include "core/detail/method_call.hpp"
#include "core/detail/troupe_signals.hpp"
#include "core/detail/type_name.hpp"
#include "core/system_messages.hpp"
#include "scheduler/held_runnable.hpp"

namespace thespis::detail {

namespace {
// Messages the system sends among cells; the actor never sees them.
struct orphaned {  // the parent exited without taking its children along
  using thespis_system_message = void;
};

// Notices about other actors that mean something only to a live receiver: to one that is gone
// (or going) they are no lost message, as a wakeup or an exit request is not, and are dropped
// without counting. A watched actor's exit notice to a watcher that went at the same moment (at
// shutdown, every pair), a child's to a parent gone without it, a troupe member's "ready" to
// its exiting leader.
bool is_notice_for_the_living(envelope* env) noexcept {
  return payload_if<actor_exited>(env) || payload_if<child_actor_exited>(env) ||
         payload_if<orphaned>(env) || payload_if<troupe_member_ready>(env);
}
}  // namespace

actor_cell::actor_cell(runtime& rt, address_id id, std::unique_ptr<actor_factory> factory,
                       address parent, std::string global_name, requirements required,
                       const id_key* key)
    : actor_context(id),
      runtime_(rt),
      parent_(std::move(parent)),
      rare_{make_rare(factory->type(), rt.config().mailbox_limit, std::move(global_name),
                      std::move(required), key, room_for(*factory).bytes == 0)},
      room_bytes_(room_for(*factory).bytes),
      troupe_member_(factory->troupe_member) {
  // After the last member whose making may throw: the factory is the cell's from here on.
  if (room_bytes_ != 0) {
    put_factory_in_room(factory.release());
  } else {
    rare()->factory = std::move(factory);
  }
}

// An actor costs its cell and its actor object, in one block rounded up to a cache line (see
// room_for()): with a 96-byte cell, an actor object of up to 32 bytes (a plain actor's) fits a
// 128-byte block, one of up to 96 a 192-byte block (up to 80 with the 112-byte cell before,
// whose registry links and child list went to a slot number and the rare state). The
// sanitizer's extra word is let be.
static_assert(sizeof(actor_cell) <= 96 || THESPIS_THREAD_SANITIZER,
              "an actor cell grew: idle_memory measures it (docs/benchmarks.md)");

// The actor lives right after the cell, at operator new's alignment (see instance_room()); an
// over-aligned one (beyond that), or one of 64 KiB or more, is built on the heap instead.

actor_cell::room actor_cell::room_for(const actor_factory& factory) noexcept {
  if (factory.instance_alignment() > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return {0};
  // Room for the factory's pointer too, which the room holds until the actor is built.
  const std::size_t size = std::max(factory.instance_size(), sizeof(actor_factory*));
  // The block, cell and room, is a multiple of a cache line: slab blocks of such sizes start on
  // a line (the slab's header is 11 lines), so no line holds two actors. With the cell and a
  // plain actor in a 144-byte block, the line every sender CASes could hold the end of the
  // previous block or this actor's per-message fields: the pipeline at 2 workers read 61 vs
  // 31 ns/item (A/B, 3 quiet rounds; 61 vs 41 over 5 slow ones), the other workloads alike.
  constexpr std::size_t line = 64;
  const std::size_t block = (room_offset() + size + line - 1) / line * line;
  const std::size_t bytes = block - sizeof(actor_cell);
  return {bytes <= std::numeric_limits<std::uint16_t>::max() ? bytes : 0};
}

// Cells come from the envelope slabs (up to 256 bytes with the room, so most cells): an actor
// created on one thread often exits on another, and glibc frees such a block under the
// creating thread's arena lock (fork_join_creation: malloc and free were ~14 %).
void* actor_cell::operator new(std::size_t cell_bytes, room r) {
  return allocate_envelope(cell_bytes + r.bytes);
}

void actor_cell::operator delete(void* p, room r) noexcept {
  free_envelope(p, sizeof(actor_cell) + r.bytes);
}

// The deleting destructor needs one, but no cell is deleted: the last release_ref() calls
// destroy(), which knows the room's size.
void actor_cell::operator delete(void*) noexcept {
  std::terminate();
}

void actor_cell::destroy() const noexcept {
  const std::size_t bytes = sizeof(actor_cell) + room_bytes_;
  auto* cell = const_cast<actor_cell*>(this);
  cell->~actor_cell();
  free_envelope(cell, bytes);
}

// Like unique_ptr::reset: instance() is null while the destructor runs.
void actor_cell::destroy_instance() noexcept {
  actor* instance = this->instance();
  if (instance == nullptr) return;
  has_instance_ = false;
  if (room_bytes_ == 0) {
    delete instance;
  } else {
    std::destroy_at(instance);  // its room is freed with the cell
  }
  instance_in_rare_ = false;
}

std::uintptr_t actor_cell::make_rare(const std::type_info& type, std::size_t mailbox_limit,
                                     std::string global_name, requirements required,
                                     const id_key* key, bool heap_built) {
  if (mailbox_limit == 0 && global_name.empty() && required.empty() && key == nullptr &&
      !heap_built) {
    return reinterpret_cast<std::uintptr_t>(&type) | rare_owner::type_tag;
  }
  auto made = std::make_unique<rare_state>();
  made->type = &type;
  if (!global_name.empty() || !required.empty() || key != nullptr) {
    made->set = std::make_unique<const rare_state::settings>(
        rare_state::settings{std::move(global_name), std::move(required),
                             key ? std::optional<id_key>(*key) : std::nullopt});
  }
  if (mailbox_limit > 0) made->pressure = std::make_unique<mailbox_pressure>(mailbox_limit);
  return reinterpret_cast<std::uintptr_t>(made.release());
}

actor_cell::rare_state& actor_cell::rare_made() {
  // relaxed: only the owner stores here (or the constructor, before the owner ran)
  const std::uintptr_t word = rare_.word.load(std::memory_order_relaxed);
  if (!(word & rare_owner::type_tag)) return *reinterpret_cast<rare_state*>(word);
  auto* made = new rare_state;
  made->type = reinterpret_cast<const std::type_info*>(word & ~rare_owner::type_tag);
  // release: a thread that finds the pointer finds the block built (see rare()).
  rare_.word.store(reinterpret_cast<std::uintptr_t>(made), std::memory_order_release);
  return *made;
}

actor_cell::timing& actor_cell::timing_state() {
  rare_state& r = rare_made();
  if (!r.timers) r.timers = std::make_unique<timing>();
  return *r.timers;
}

actor_cell::links& actor_cell::links_state() {
  rare_state& r = rare_made();
  if (!r.link) r.link = std::make_unique<links>();
  return *r.link;
}

void actor_cell::drop_pending_timers() noexcept {
  if (timing* t = timing_made()) {
    t->wakeups.clear();  // a taken one's envelope, on its way, is dropped as it arrives
    if (t->wakeup_timer != timer_id{}) (void)runtime_.timers().cancel(t->wakeup_timer);
    if (t->transient_armed) (void)runtime_.timers().cancel(t->transient_timer);
    // The wakeup handles, the wakeup tags and transient numbers go on: see timing::wakeups.
    t->wakeup_timer = timer_id{};
    t->transient_armed = false;
    t->transient_after = {};
    transient_ = false;
    t->transient_idle = false;
    t->last_activity = {};
  }
  // The timeouts of the replies it awaited: each holds a reference to this cell.
  if (links* l = links_made()) {
    for (auto& [request, awaited] : l->awaited)
      (void)runtime_.timers().cancel(awaited.timeout);
    l->awaited.clear();
  }
}

const std::string& actor_cell::name() const noexcept {
  static const std::string none;
  const rare_state* r = rare();
  return r && r->set ? r->set->global_name : none;
}

const requirements& actor_cell::required() const noexcept {
  static const requirements none;
  const rare_state* r = rare();
  return r && r->set ? r->set->required : none;
}

actor_cell::~actor_cell() {
  destroy_instance();
  drop_unbuilt_factory();
}

void actor_cell::drop_unbuilt_factory() noexcept {
  if (!built_ && room_bytes_ != 0) delete unbuilt_factory_in_room();
  built_ = true;  // spent; a heap-built actor's factory goes with rare_state
}

namespace {
// Marks a cell as inside its actor's constructor for the span of the call.
class constructor_scope {
 public:
  explicit constructor_scope(std::atomic<actor_code>& flag) noexcept : flag_(flag) {
    flag_.store(actor_code::constructor, std::memory_order_relaxed);
  }
  ~constructor_scope() { flag_.store(actor_code::none, std::memory_order_relaxed); }
  constructor_scope(const constructor_scope&) = delete;
  constructor_scope& operator=(const constructor_scope&) = delete;

 private:
  std::atomic<actor_code>& flag_;
};
}  // namespace

void actor_cell::construct() {
  construction_scope scope(this);
  constructor_scope busy(in_actor_code_);
  actor_factory& f = *factory();
  // A supervised actor keeps its factory: a restart builds it again. Its room first, as making
  // it may throw.
  if (!built_ && f.supervised) (void)rare_made();
  actor* made = nullptr;
  if (room_bytes_ == 0) {
    made = f.make().release();
  } else {
    try {
      made = f.make_at(instance_room());
    } catch (...) {
      // The constructor's writes may have overwritten the factory's pointer: the room is free
      // again, and holds it until the cell ends (or a restart tries anew).
      if (!built_) put_factory_in_room(&f);
      throw;
    }
  }
  if (made != instance_room()) {
    // On the heap, or built in the room with its actor part not first (multiple inheritance).
    try {
      rare_made().instance = made;
    } catch (...) {
      // No room for its address: the actor cannot be kept. Rare: an allocation failed.
      if (room_bytes_ == 0) {
        delete made;
      } else {
        std::destroy_at(made);
        if (!built_) put_factory_in_room(&f);
      }
      throw;
    }
    instance_in_rare_ = true;
  }
  if (!built_) {
    if (room_bytes_ == 0) {
      if (!f.supervised) rare()->factory.reset();  // a heap-built actor's started there
    } else if (f.supervised) {
      rare()->factory.reset(&f);
    } else {
      delete &f;
    }
    built_ = true;
  }
  has_instance_ = true;
  close_requests();  // then() for the constructor's requests belongs in the constructor
}

unfinished_reason actor_cell::unfinished_because() const noexcept {
  if (in_actor_code_.load(std::memory_order_relaxed) != actor_code::none) {
    return unfinished_reason::busy_in_handler;
  }
  if (awaiting_children_.load(std::memory_order_relaxed)) {
    return unfinished_reason::waiting_for_children;
  }
  // Parked, its exit request waits in its mailbox until its target drains: no worker would help.
  if (parked_on()) return unfinished_reason::waiting_for_a_full_mailbox;
  return unfinished_reason::waiting_for_a_worker;
}

mailbox_pressure* actor_cell::pressure() const noexcept {
  return runtime_.mailbox_limited() ? rare()->pressure.get() : nullptr;
}

void actor_cell::deliver(envelope* env) noexcept {
  // Before the push, so the consumer never counts below 0.
  if (mailbox_pressure* p = pressure()) p->pushed();
  switch (mailbox_.push(env)) {
    case push_result::queued:
      detail::note_push_to_scheduled(*this);
      return;
    case push_result::unblocked:
      runtime_.schedule(*this);
      return;
    case push_result::closed:
      deliver_to_closed(env);
      return;
  }
}

// Out of line and cold: inlined, its checks made every delivery save and restore registers
// (thread_ring: ~1 ns a hop).
void actor_cell::deliver_to_closed(envelope* env) noexcept {
  // A notice sent by id is mail for the id: deliver_after_close() keeps it for the next actor.
  if (is_notice_for_the_living(env) && !is_mail_for_the_id(env)) {
    return destroy_envelope(env);
  }
  deliver_after_close(env);
}

bool actor_cell::deliver_unless_closed(envelope* env) noexcept {
  if (mailbox_pressure* p = pressure()) p->pushed();
  switch (mailbox_.push(env)) {
    case push_result::queued:
      detail::note_push_to_scheduled(*this);
      return true;
    case push_result::unblocked:
      runtime_.schedule(*this);
      return true;
    case push_result::closed:
      return false;
  }
  return false;
}

run_result actor_cell::run() noexcept {
#if THESPIS_THREAD_SANITIZER
  // acquire: pairs with the release in stay_scheduled(), when the previous activation yielded
  // or was kept open.
  (void)handoff_.load(std::memory_order_acquire);
#endif
  mailbox_pressure* const pressure = this->pressure();
  if (pressure && pressure->slow_down_for()) unpark();  // resumed after parking
  if (!instance() && !start()) return end_exited();
  const unsigned budget = runtime_.message_budget();
  for (unsigned handled = 0; handled < budget;) {
    envelope* env = mailbox_.try_pop(batch_);
    if (env == nullptr) {
      if (detail::may_be_offered_to_keep_open(*this) && stays_open(handled)) {
        return stay_scheduled(run_result::kept_open);
      }
      if (mailbox_.try_block(batch_)) return run_result::idle;  // the next push schedules us
      continue;                                                 // a push raced with us: go on
    }
    if (pressure) pressure->consumed();
    handle(env);
    if (exited_) {
      // Before end_exited(), which may drop the last reference to this cell; and so that two
      // exited actors holding each other's references cannot keep each other's cells.
      senders_.clear();
      return end_exited();
    }
    if (pressure && pressure->slow_down_for() && park()) {
      return run_result::idle;  // resumed when the target drains
    }
    ++handled;
  }
  return stay_scheduled(run_result::yielded);
}

// Whether this activation, out of messages after handling `handled`, stays scheduled rather
// than go idle (see detail::keep_open_offered()). A second look that finds nothing means this
// actor's messages come one per wake-up (a timer's, say): it then declines the next few offers,
// so that a look in vain costs it one activation in every few wake-ups, not one in two (the
// timers row at 2 workers ~175 -> ~208 ns/wakeup while every offer was taken).
bool actor_cell::stays_open(unsigned handled) noexcept {
  if (kept_open_) {
    kept_open_ = false;
    if (handled == 0) offers_to_decline_ = offers_declined_after_a_look_in_vain;
  }
  if (handled == 0) return false;
  if (offers_to_decline_ != 0) {
    --offers_to_decline_;
    return false;
  }
  kept_open_ = detail::keep_open_offered(*this);
  return kept_open_;
}

// Ends an activation that the scheduler runs again without a push (yielded, kept open).
run_result actor_cell::stay_scheduled(run_result result) noexcept {
#if THESPIS_THREAD_SANITIZER
  // release: pairs with the acquire at the start of run() in the activation that resumes this one.
  handoff_.store(0, std::memory_order_release);
#endif
  return result;
}

// Builds the actor in its first activation (children are built on a worker, not by the parent).
bool actor_cell::start() noexcept {
  try {
    construct();
    return true;
  } catch (...) {
    exit_reason_ = exit_reason::construction_failed;
    finish();  // the parent hears of it; queued messages become dead letters
    return false;
  }
}

void actor_cell::handle(envelope* env) noexcept {
  if (exiting_) return handle_while_exiting(env);
  const bool system = env->system();
  const address& from = senders_.take(env->sender);
  const address& sender = from ? from : runtime_.outside_sender();  // see runtime::tell()
  message msg(env);
  if (system && handle_system_message(msg, sender)) return;
  if (transient_) note_activity();
  const bool exit_requested = system && msg.is<actor_exit_request>();
  deliver_to_actor(msg, sender);
  if (troupe_member_ && !troupe_busy_) {
    // Tell the leader this member takes new work.
    if (auto* leader = address_access::target(parent_)) {
      leader->deliver(new envelope_of<troupe_member_ready>(self()));
    }
  }
  // An exit request cannot be refused — not by throwing, nor by forwarding the message away
  // (then it counts as recursive).
  if (exit_requested) {
    const auto* request = msg.try_get<actor_exit_request>();
    if (request) exit_reason_ = request->reason;
    begin_exit(request == nullptr || request->recursive);
  }
}

// Handles what the system answers for the actor; returns true if the actor must not see msg.
bool actor_cell::handle_system_message(message& msg, const address& sender) noexcept {
  if (msg.is<status_request>()) {
    reply_status(sender);
    return true;
  }
  if (auto* check = msg.try_get<transient_check>()) {
    check_transient(check->tag);
    return true;
  }
  if (msg.is<orphaned>()) {
    parent_ = address{};
    return true;
  }
  if (auto* wakeup = msg.try_get<wakeup_message>()) {
    timing* const t = timing_made();
    if (!t) return true;
    t->wakeups.look_ahead(batch_);        // due wakeups come in runs: the next is likely one
    return !t->wakeups.arrived(*wakeup);  // a cancelled wakeup never reaches the actor
  }
  if (msg.is<wakeups_due>()) {
    take_due_wakeups(msg);
    return true;
  }
  if (auto* exited = msg.try_get<child_actor_exited>()) {
    // It reaches the actor too — unless it is about a child of an instance before a restart.
    return !forget_child(exited->child);
  }
  return handle_link_message(msg, sender);
}

// While the children of an exiting actor exit, it sees only their child_actor_exited; repeated
// exit requests are absorbed, anything else is a dead letter (the actor is gone for it).
void actor_cell::handle_while_exiting(envelope* env) noexcept {
  // Its own wakeups and transient checks die with it, as in finish(); repeated exit requests
  // and notices it can no longer use (not its children's: below) are absorbed.
  if (const auto* wakeup = payload_if<wakeup_message>(env)) {
    if (timing* t = timing_made()) (void)t->wakeups.arrived(*wakeup);  // no longer pending
    destroy_envelope(env);
    return;
  }
  if (payload_if<actor_exit_request>(env) || payload_if<transient_check>(env) ||
      (payload_if<child_actor_exited>(env) == nullptr && is_notice_for_the_living(env) &&
       !is_mail_for_the_id(env))) {
    if (payload_if<orphaned>(env)) parent_ = address{};  // it reports its exit to nobody
    destroy_envelope(env);
    return;
  }
  if (payload_if<status_request>(env) != nullptr) {  // still live: it answers (it is exiting)
    const address from = std::move(env->sender);
    destroy_envelope(env);
    reply_status(from ? from : runtime_.outside_sender());
    return;
  }
  if (payload_if<wakeups_due>(env) != nullptr) {
    message notice(env);
    take_due_wakeups(notice);  // they come next, and go where an exiting actor's wakeups go
    return;
  }
  if (is_mail_for_the_id(env)) return keep_unread(env);  // for the id's next actor
  if (payload_if<watch_request>(env) || payload_if<call_reply>(env) ||
      payload_if<child_failed>(env) || payload_if<restart_request>(env)) {
    address sender = std::move(env->sender);
    message msg(env);
    (void)handle_link_message(msg, sender);  // a watch still counts; the others see exiting_
    return;
  }
  if (payload_if<child_actor_exited>(env) == nullptr) {
    if (!hand_back_to_leader(env)) runtime_.dead_letter(env, self());
    return;
  }
  const address from = std::move(env->sender);
  const address& sender = from ? from : runtime_.outside_sender();  // see runtime::tell()
  message msg(env);
  forget_child(msg.get<child_actor_exited>().child);
  deliver_to_actor(msg, sender);
  if (no_children()) finish();
}

void actor_cell::deliver_to_actor(message& msg, const address& sender) noexcept {
  ++processed_;  // what the actor was given: not what the system answered or kept for itself
  std::exception_ptr error = try_receive(msg, sender);
  if (error) [[unlikely]]
    retry_after_failure(msg, sender);
}

// A failed message is retried once, immediately, on the same instance (Thespian's rule).
void actor_cell::retry_after_failure(message& msg, const address& sender) noexcept {
  std::exception_ptr error = try_receive(msg, sender);
  if (error && msg && !msg.is<actor_exit_request>() && !msg.is<poison_message>()) {
    return_poison(std::move(msg), sender, error);
    if (supervised() && !exiting_) on_failure();  // the default goes on with the next message
  }
}

inline std::exception_ptr actor_cell::try_receive(message& msg, const address& sender) noexcept {
  std::exception_ptr error;
  in_actor_code_.store(actor_code::receiving, std::memory_order_relaxed);
  try {
    instance()->receive(msg, sender);
  } catch (...) {
    error = std::current_exception();
  }
  // Owner only: defer_handler_change() wrote it on this thread, during receive().
  if (in_actor_code_.load(std::memory_order_relaxed) == actor_code::handlers_changed) {
    install_after_message(error);
  }
  in_actor_code_.store(actor_code::none, std::memory_order_relaxed);
  return error;
}

// Deferred only where the runtime installs afterwards: inside receive() or a reply handler.
// In the constructor, and outside the actor's code (its destructor), the change is made at once.
bool actor_cell::defer_handler_change() noexcept {
  switch (in_actor_code_.load(std::memory_order_relaxed)) {
    case actor_code::receiving:
    case actor_code::handlers_changed:
      in_actor_code_.store(actor_code::handlers_changed, std::memory_order_relaxed);
      return true;
    case actor_code::none:
    case actor_code::constructor:
      break;
  }
  return false;
}

// The handler is done: the handlers registered while it ran take effect. Failing to (out of
// memory) becomes `error` unless the handler failed already.
void actor_cell::install_changed_handlers(std::exception_ptr& error) noexcept {
  try {
    actor_handlers_access::install_added(*instance());
  } catch (...) {
    if (!error) error = std::current_exception();
  }
}

// After a message. Installing that fails after a handler that succeeded is not the message's
// failure: retried, the message ran a second time, on whatever handlers the switch had left
// (its payload perhaps moved from). It is the actor's: logged, and under supervision a failure
// (a restart gives it whole behaviour again); unsupervised, it goes on with the handlers it has.
void actor_cell::install_after_message(std::exception_ptr& error) noexcept {
  close_requests();
  if (error) return install_changed_handlers(error);  // the handler failed: retried as always
  install_changed_handlers(error);
  if (!error) return;
  // Out of the actor's code before a restart destroys the instance: what its destructor
  // registers is installed at once, not held back for a table that is gone.
  in_actor_code_.store(actor_code::none, std::memory_order_relaxed);
  try {
    std::string text =
        "a message was handled, but the handlers it registered could not be installed";
    try {
      std::rethrow_exception(std::exchange(error, nullptr));
    } catch (const std::exception& e) {
      text += std::string(": ") + e.what();
    } catch (...) {
    }
    log(log_level::error, text);
  } catch (...) {  // the log sink failed too: nothing left to tell
  }
  if (supervised() && !exiting_) on_failure();
}

void actor_cell::return_poison(message msg, const address& sender, std::exception_ptr error) {
  // A director that failed on a spawn request declines it here: carried in the poison, the
  // request would keep the id's waiting mail parked until whoever got the poison let it go —
  // outside code that never listens, never. Declined, the mail becomes dead letters.
  if (msg.is<spawn_request>()) msg = message{};
  poison_message poison{std::move(msg), "unknown", "non-standard exception"};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    poison.error_type = type_name(typeid(e));
    poison.what = e.what();
  } catch (...) {
  }
  envelope* env = new envelope_of<poison_message>(self(), std::move(poison));
  if (auto* target = address_access::target(sender)) {
    target->deliver(env);
  } else {
    runtime_.dead_letter(env, sender);  // sent from outside: nobody to return it to
  }
}

// A troupe member that exits on its own (transient, retiring when idle) may hold work its leader
// gave it before hearing of the exit: that work goes back to the leader, with its original
// sender, for another member. Owner only, while the member still has its parent. Not when the
// member could not be built: the leader would make another, failing the same way, for ever.
bool actor_cell::hand_back_to_leader(envelope* env) noexcept {
  if (!troupe_member_ || env->system() || exit_reason_ == exit_reason::construction_failed) {
    return false;
  }
  address_target* const leader = address_access::target(parent_);
  if (leader == nullptr) return false;
  leader->deliver(env);
  return true;
}

// The exit handler has run: the actor takes its children along (recursive) or leaves them as
// top-level actors, and is gone once no child is left.
void actor_cell::begin_exit(bool recursive) noexcept {
  exiting_ = true;
  if (const id_key* k = key()) runtime_.ids().retiring(*k, *this);  // new mail waits
  // Dead for ordinary messages from now on: a create with its name makes a new actor, not this
  // one's address (whose mail would be dead letters) while its children exit.
  if (!name().empty()) runtime_.free_name(*this);
  if (!recursive || no_children()) {
    let_go_of_children([&](const address& child) {
      address_access::target(child)->deliver(new envelope_of<orphaned>(self()));
    });
    return finish();
  }
  awaiting_children_.store(true, std::memory_order_relaxed);
  for_each_child([&](const address& child) {
    address_access::target(child)->deliver(new envelope_of<actor_exit_request>(self()));
  });
}

void actor_cell::finish() noexcept {
  exiting_ = true;
  exited_ = true;
  if (pressure()) {
    pressure()->slow_down_for() = {};
    pressure()->close();  // senders waiting for us go on: we will never drain
  }
  const address me = self();
  mailbox_.close(batch_, [&](envelope* env) {
    if (payload_if<actor_exit_request>(env) || is_own_timer(env)) {
      destroy_envelope(env);  // asking a gone actor to exit, or waking it, loses nothing
    } else if (is_mail_for_the_id(env)) {
      keep_unread(env);  // a notice too: sent by id, it is the next actor's mail
    } else if (is_notice_for_the_living(env)) {
      destroy_envelope(env);
    } else if (payload_if<watch_request>(env)) {
      // Starting to watch: told below, with the reason. Stopping: not told, as it asked.
      const address sender = std::move(env->sender);
      message request(env);
      (void)handle_link_message(request, sender);
    } else if (!hand_back_to_leader(env)) {
      deliver_after_close(env);
    }
  });
  drop_pending_timers();
  destroy_instance();     // runs the destructor; drops the actor's own address (the cycle to us)
  drop_pending_timers();  // what the destructor (a plain object's dispose()) armed
  drop_unbuilt_factory();
  if (rare_state* r = rare()) r->factory.reset();
  // An actor whose constructor failed takes the children it made along: creating it failed, so
  // nothing of it may live on (they would be top-level actors nobody has an address of). Told
  // they are orphans first, they do not report their exit to a parent that is gone.
  const bool never_built = exit_reason_ == exit_reason::construction_failed;
  let_go_of_children([&](const address& child) {
    address_target* const target = address_access::target(child);
    target->deliver(new envelope_of<orphaned>(me));
    if (never_built) target->deliver(new envelope_of<actor_exit_request>(me));
  });
  if (auto* parent = address_access::target(parent_)) {
    parent->deliver(new envelope_of<child_actor_exited>(me, child_actor_exited{me}));
  }
  parent_ = address{};
  announce_exit();
  add_ref();  // the registry's reference, which forget() drops
  holds_last_reference_ = true;
  runtime_.forget(*this);
}

// Ends the activation in which the actor exited. Drops what may be the last reference to this
// cell: nothing may touch it afterwards.
run_result actor_cell::end_exited() noexcept {
  const bool held = holds_last_reference_;
  holds_last_reference_ = false;
  if (held) release_ref();
  return run_result::idle;
}

bool actor_cell::forget_child(const address& child) noexcept {
  rare_state* r = rare();
  if (r == nullptr || !r->children.remove(child)) return false;
  if (links* l = links_made()) std::erase(l->all_for_one_children, child);
  return true;
}

void actor_cell::reply_status(const address& to) noexcept {
  actor_status status;
  status.actor = self();
  status.class_name = type_name(actor_type());
  status.global_name = name();
  status.parent = parent_;
  if (const rare_state* r = rare()) status.children = r->children.to_vector();
  status.pending_messages = mailbox_.count_pending(batch_);
  const timing* t = timing_made();
  status.pending_wakeups = t ? t->wakeups.size() : 0;
  status.messages_processed = processed_;
  status.peak_pending_messages = pressure() ? pressure()->peak() : 0;
  envelope* env = new envelope_of<actor_status>(self(), std::move(status));
  if (auto* target = address_access::target(to)) {
    target->deliver(env);
  } else {
    runtime_.dead_letter(env, to);
  }
}

address actor_cell::self() noexcept {
  return address_access::make(intrusive_ptr<address_target>::share(this));
}

address actor_cell::spawn(std::unique_ptr<actor_factory> factory) {
  // After its exit handler an actor only waits for its children: one made now (by a handler of
  // child_actor_exited that replaces the child, say) would keep it from ever finishing, and
  // asking the new child to exit would only make the handler replace it again.
  if (exiting_) {
    throw std::logic_error(
        "create_actor: this actor is exiting (its exit handler has run); it "
        "cannot take on a new child");
  }
  const std::optional<supervision> policy = factory->supervised;
  rare_state& r = rare_made();  // before the child exists: it must not go untracked
  address child = runtime_.spawn_child(std::move(factory), self());
  r.children.add(child);
  if (policy && policy->strategy == restart_strategy::all_for_one) {
    links_state().all_for_one_children.push_back(child);
  }
  return child;
}

address actor_cell::spawn(std::string_view type_name) {
  return spawn(make_registered_factory(type_name));
}

address actor_cell::spawn_named(std::string name, std::unique_ptr<actor_factory> factory) {
  return runtime_.spawn_named_child(std::move(name), std::move(factory));
}

void actor_cell::handle_dead_letters(bool start) {
  if (start) dead_letter_handler_ = true;  // its exit must clear the role: see runtime::forget
  runtime_.set_dead_letter_handler(*this, start);
}

capability_map actor_cell::capabilities() const {
  return runtime_.capabilities();
}

void actor_cell::update_capability(std::string name, std::optional<capability_value> value) {
  runtime_.update_capability(std::move(name), std::move(value));
}

// A wakeup waits in the actor's own queue (see wakeup_queue.hpp); the timer service holds one
// timer per actor, at its earliest deadline, re-armed only when a new wakeup comes earlier.
wakeup_handle actor_cell::wakeup_after(std::chrono::nanoseconds delay, message payload) {
  timing& t = timing_state();
  // A delay below zero is none: due now, after the wakeups already due (see radix_heap).
  const timer_service::time_point deadline = runtime_.timers().deadline_after(
      std::chrono::duration_cast<timer_service::duration>(std::max(delay, delay.zero())));
  const auto earliest = t.wakeups.next_deadline();
  const std::uint64_t key = t.wakeups.push(deadline, [&](std::uint64_t handle) -> envelope* {
    return new envelope_of<wakeup_message>(
        self(), wakeup_message{delay, std::move(payload), wakeup_handle{handle}});
  });
  if (t.wakeup_timer == timer_id{} || !earliest || deadline < *earliest) {
    try {
      arm_wakeup_timer(t, deadline, nullptr);
    } catch (...) {
      (void)t.wakeups.cancel(key);
      throw;
    }
  }
  return wakeup_handle{key};
}

// Arms the service's timer for this actor's wakeups at `deadline`, with `notice` (a spent
// wakeups_due envelope, or null to make one) as what it delivers; replaces the armed one. May
// throw std::bad_alloc, and then the armed timer stays.
void actor_cell::arm_wakeup_timer(timing& t, timer_service::time_point deadline, envelope* notice) {
  message due(notice ? notice : new envelope_of<wakeups_due>(self()));
  due.get<wakeups_due>().tag = t.wakeup_tag + 1;
  const timer_id armed = runtime_.timers().schedule_at(
      deadline, [cell = intrusive_ptr<actor_cell>::share(this), due = std::move(due)]() mutable {
        cell->deliver(due.release());
      });
  // If the one it replaces has fired already, its notice is on its way: its old tag tells.
  if (t.wakeup_timer != timer_id{}) (void)runtime_.timers().cancel(t.wakeup_timer);
  t.wakeup_timer = armed;
  ++t.wakeup_tag;
}

// The service's timer fired (or an older one's, whose notice was on its way as a new one was
// armed): the wakeups due now are handled next, earliest first, ahead of the rest of the batch;
// then the timer is armed again, for the next one, with the same notice envelope.
void actor_cell::take_due_wakeups(message& notice) noexcept {
  timing* const t = timing_made();
  if (!t) return;
  if (notice.get<wakeups_due>().tag == t->wakeup_tag) t->wakeup_timer = timer_id{};  // it fired
  const wakeup_queue::due_list due = t->wakeups.take_due(runtime_.timers().now());
  if (due.first != nullptr) {
    if (mailbox_pressure* p = pressure()) {
      for (std::size_t i = 0; i < due.count; ++i)
        p->pushed();  // run() counts them consumed
    }
    due.last->next = batch_;
    batch_ = due.first;
  }
  if (t->wakeup_timer != timer_id{}) return;
  if (const auto next = t->wakeups.next_deadline()) {
    // noexcept: a failed allocation here (the service's queue growing) ends the process, as
    // the transient timer's does; the notice envelope is reused, so none is made.
    arm_wakeup_timer(*t, *next, notice.release());
  }
}

bool actor_cell::cancel_wakeup(wakeup_handle handle) noexcept {
  // No timer to cancel: the service's one fires at the earliest wakeup armed, and if that one
  // was cancelled the notice finds nothing due and re-arms for the next.
  timing* const t = timing_made();
  return t && t->wakeups.cancel(handle.id);
}

void actor_cell::set_transient(std::chrono::nanoseconds after, bool idle) {
  timing& t = timing_state();
  // Zero means at once (it meant never: such an actor stayed), and less counts as zero, as a
  // wakeup's delay does.
  t.transient_after = std::max(after, std::chrono::nanoseconds(0));
  t.transient_idle = idle;
  transient_ = true;
  if (t.transient_armed) {  // set again: the new time counts, from now
    (void)runtime_.timers().cancel(t.transient_timer);
    t.transient_armed = false;
  }
  // The idle clock starts now: an actor that is never sent anything is idle too (it stayed
  // for ever, an actor made by id for mail that went elsewhere, say).
  if (idle) note_activity();
}

// Arms the transient timer at the first message; an idle-transient actor also records when it
// last heard something, which the timer checks when it fires (one timer, not one per message).
void actor_cell::note_activity() noexcept {
  timing& t = *timing_made();
  t.last_activity = runtime_.timers().now();
  if (t.transient_armed) return;
  t.transient_armed = true;
  arm_transient_timer(timer_service::saturating_add(
      t.last_activity, std::chrono::duration_cast<timer_service::duration>(t.transient_after)));
}

void actor_cell::arm_transient_timer(timer_service::time_point deadline) {
  auto target = intrusive_ptr<actor_cell>::share(this);
  timing& t = *timing_made();
  t.transient_tag = ++t.last_transient;
  message check(new envelope_of<transient_check>(self(), transient_check{t.transient_tag}));
  t.transient_timer = runtime_.timers().schedule_at(
      deadline, [cell = std::move(target), check = std::move(check)]() mutable {
        cell->deliver(check.release());
      });
}

void actor_cell::check_transient(std::uint32_t tag) noexcept {
  // Not armed: cancelled as the actor exited. Another tag: armed before a restart.
  timing* const made = timing_made();
  if (!made || !made->transient_armed || made->transient_tag != tag) return;
  timing& t = *made;
  const auto after = std::chrono::duration_cast<timer_service::duration>(t.transient_after);
  const auto idle_until = timer_service::saturating_add(t.last_activity, after);
  if (t.transient_idle && runtime_.timers().now() < idle_until) {
    arm_transient_timer(idle_until);  // heard something since: look again later
    return;
  }
  t.transient_armed = false;
  deliver(new envelope_of<actor_exit_request>(
      self(),
      actor_exit_request{true, t.transient_idle ? exit_reason::idle : exit_reason::requested}));
}

void actor_cell::log(log_level level, std::string_view text) {
  const auto& config = runtime_.config();
  if (level < config.log_threshold || level == log_level::off) return;
  log_record record{level, self(), type_name(actor_type()), std::string(text),
                    std::chrono::system_clock::now()};
  if (config.log_to) {
    config.log_to(record);
  } else {
    stderr_log_sink(record);
  }
}

void actor_cell::slow_down_for(address_target& target) noexcept {
  if (pressure()) pressure()->slow_down_for() = intrusive_ptr<address_target>::share(&target);
}

// Parks this actor until the congested target drains: the activation ends without blocking the
// mailbox, so no push schedules us; only the target's waker does. Returns false if there is
// nothing to wait for (then the activation goes on).
bool actor_cell::park() noexcept {
  // Our own reference for the call below: once registered, the waker may resume us on another
  // thread, whose unpark() drops the pressure's slow_down_for while this call still returns.
  const intrusive_ptr<address_target> target = pressure()->slow_down_for();  // kept while parked
  if (target.get() == static_cast<address_target*>(this)) {  // never wait on oneself
    pressure()->slow_down_for() = {};
    return false;
  }
  // Waiters go on now; later ones may wait unless that would close a cycle (mailbox_pressure).
  pressure()->park(target.get());
#if THESPIS_THREAD_SANITIZER
  // release: pairs with the acquire at the start of run() in the activation the waker starts.
  handoff_.store(0, std::memory_order_release);
#endif
  auto me = intrusive_ptr<actor_cell>::share(this);
  bool parked = false;
  try {
    parked = target->wait_until_drained([me, rt = &runtime_] { rt->schedule(*me); });
  } catch (...) {
    // could not register (out of memory): go on unthrottled
  }
  // Not parked (the target drained, is gone, or is parked itself): go on, accepting waiters.
  // Parked: from here the waker may run this cell on another thread; run() unparks it there.
  if (!parked) unpark();
  return parked;
}

// Owner only: the actor runs on (it did not park after all, or it was resumed).
void actor_cell::unpark() noexcept {
  pressure()->unpark();  // first: the waiters' checks read slow_down_for through it
  pressure()->slow_down_for() = {};
}

void actor_cell::undeliverable(envelope* env) noexcept {
  runtime_.dead_letter(env, address{});
}

}  // namespace thespis::detail
