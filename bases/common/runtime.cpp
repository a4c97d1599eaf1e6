#include "bases/common/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "bases/common/outside_inbox.hpp"
#include "bases/common/reply_forwarder.hpp"
#include "bases/common/reply_slot.hpp"
#include "core/detail/method_call.hpp"
#include "core/detail/saturating_duration.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/system_messages.hpp"

namespace thespis::detail {

namespace {
std::atomic<std::uint32_t> next_node{1};  // one number per system in this process

// The configuration as the runtime uses it: with the standard capabilities, and its timeouts
// clamped (a "for ever" of milliseconds::max() overflows when added to a clock reading, and then
// meant no wait at all).
system_config prepared(system_config config) {
  config.capabilities["thespis.version"] = std::string("0.1.0");
  config.capabilities["thespis.base"] = config.base;
  for (std::chrono::milliseconds* timeout : {&config.shutdown_timeout, &config.tell_timeout}) {
    *timeout = std::chrono::duration_cast<std::chrono::milliseconds>(saturating_ns(*timeout));
  }
  return config;
}
}  // namespace

runtime::runtime(system_config config)
    : config_(prepared(std::move(config))),
      node_(next_node.fetch_add(1, std::memory_order_relaxed)),
      inbox_(intrusive_ptr<outside_inbox>::adopt(new outside_inbox(
          next_id(), [this](envelope* env) { dead_letter(env, inbox_address_); }))),
      inbox_address_(address_access::make(inbox_)),
      ids_(std::make_shared<id_directory>(*this)),
      capabilities_(config_.capabilities) {
  ids_->self_ = ids_;
}

runtime::~runtime() {
  inbox_->clear();
}

address_id runtime::next_id() noexcept {
  return {node_, next_local_.fetch_add(1, std::memory_order_relaxed)};
}

// Outside creation ends when shutdown begins: an outside thread that kept creating (a
// connection acceptor, say) kept shutdown asking its new actors to exit past its deadline, for
// ever if it never stopped. Actors may still create children while they exit: shutdown asks
// those too, within its deadline.
void runtime::ensure_running() const {
  if (shutting_down_.load(std::memory_order_relaxed)) {
    throw system_shut_down("create_actor on a system that is shutting down or has shut down");
  }
}

// Registers a new cell, or — when `name` is taken — returns null and sets *existing.
// The common actor, unnamed and without requirements, takes only its registry shard's lock.
intrusive_ptr<actor_cell> runtime::register_cell(std::unique_ptr<actor_factory>& factory,
                                                 address parent, std::string name,
                                                 address* existing, const id_key* key) {
  requirements required = factory->all_requirements();
  std::unique_lock lock(mutex_, std::defer_lock);
  if (!name.empty() || !required.empty()) {
    // Held until the cell is registered: its name cannot be taken twice, and a capability
    // change either sees the new cell or is seen by its check.
    lock.lock();
    if (!name.empty()) {
      if (auto it = names_.find(name); it != names_.end()) {
        *existing = it->second;
        return {};
      }
    }
    if (std::string why = required.unmet_by(capabilities_); !why.empty()) {
      throw no_compatible_system_for_actor(type_name(factory->type()) + " " + why);
    }
  }
  const address_id id = next_id();
  live_.prepare_for(id);  // the shard's line, fetched while the cell is built
  auto cell = intrusive_ptr<actor_cell>::adopt(new (actor_cell::room_for(*factory)) actor_cell(
      *this, id, std::move(factory), std::move(parent), name, std::move(required), key));
  live_.add(cell);
  if (!name.empty()) names_.emplace(std::move(name), address_access::make(cell));
  if (lock.owns_lock()) lock.unlock();
  notify_registry_changed(true);
  return cell;
}

// Starts a registered cell: builds it here (errors propagate) or on a worker.
address runtime::start(intrusive_ptr<actor_cell> cell, start_mode mode) {
  if (mode == start_mode::on_worker) {
    schedule(*cell);  // its first activation builds it
    return address_access::make(std::move(cell));
  }
  try {
    cell->construct();
  } catch (...) {
    cell->abandon();
    settle();
    throw;
  }
  // The constructor ran here, so no activation exists yet and we may act as the consumer: an
  // empty mailbox goes idle (the first message schedules it), else it runs what it was sent.
  if (!cell->try_idle()) schedule(*cell);
  // Either way the simple base runs what the constructor caused: the children it made and the
  // mail it sent others waited, unbuilt and unread, for the next outside call when its own
  // mailbox was empty.
  settle();
  return address_access::make(std::move(cell));
}

address runtime::spawn(std::unique_ptr<actor_factory> factory) {
  ensure_running();
  return start(register_cell(factory, address{}, {}, nullptr), start_mode::now);
}

address runtime::spawn_named(std::string name, std::unique_ptr<actor_factory> factory) {
  ensure_running();
  address existing;
  auto cell = register_cell(factory, address{}, std::move(name), &existing);
  return cell ? start(std::move(cell), start_mode::now) : existing;
}

address runtime::spawn_child(std::unique_ptr<actor_factory> factory, address parent) {
  return start(register_cell(factory, std::move(parent), {}, nullptr), start_mode::on_worker);
}

address runtime::spawn_named_child(std::string name, std::unique_ptr<actor_factory> factory) {
  address existing;
  auto cell = register_cell(factory, address{}, std::move(name), &existing);
  return cell ? start(std::move(cell), start_mode::on_worker) : existing;
}

void runtime::tell(const address& to, envelope* env) {
  (void)tell_waiting(to, env, config_.tell_timeout);
}

// Delivers env to `to`; on back-pressure waits for the target to drain, up to `wait`: past
// tell_timeout it throws, past a shorter `wait` (an ask's own timeout) it returns false.
// Not inside one of the system's actors (a handler using the system's tell): the wait would
// block a worker the target may need to drain — with one worker it always did, for the whole
// tell_timeout, and then threw into the handler. The message goes unthrottled, as send() past
// a chain of parked actors does.
bool runtime::tell_waiting(const address& to, envelope* env, std::chrono::nanoseconds wait) {
  // A null sender stands for the outside inbox (replies come back to listen()): the receiving
  // cell substitutes outside_sender(). Copying the inbox's address here instead would cost two
  // atomic updates of one reference count per message, shared by every outside thread and every
  // worker: a cache line bouncing between cores on each tell.
  bool drained = true;
  if (auto* target = address_access::target(to)) {
    target->deliver(env);
    if (config_.mailbox_limit > 0 && outside_tells_wait() && target->congested() &&
        !in_activation()) {
      drained = wait_until_drained(*target, to.to_string(), wait);
    }
  } else {
    dead_letter(env, to);
  }
  settle();
  return drained;
}

// Refused inside an actor of this system: the asked actor may be the next to run on this very
// worker (the simple base: on this very thread) once the handler returns, so the ask would wait
// out its timeout for a reply that cannot come before it gives up.
asked runtime::ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) {
  if (in_activation()) {
    destroy_envelope(env);
    throw std::logic_error(
        "actor_system::ask blocks, and is for outside code: inside an actor, the asked actor may "
        "wait for this very worker. Use ref<T>(to).request(...).then(...), or send and handle "
        "the reply");
  }
  auto slot = intrusive_ptr<reply_slot>::adopt(
      new reply_slot(next_id(), [this](envelope* late) { dead_letter(late, address{}); }));
  env->sender = address_access::make(slot);
  asked answer = send_and_await(to, env, *slot, timeout);
  // After shutdown every address is dead: say why, rather than that this one was.
  if (!answer.reply && answer.failure == ask_failure::dead_letter &&
      shutting_down_.load(std::memory_order_relaxed)) {
    answer.failure = ask_failure::shut_down;
  }
  return answer;
}

asked runtime::send_and_await(const destination& to, envelope* env, reply_slot& slot,
                              std::chrono::nanoseconds timeout) {
  if (config_.mailbox_limit == 0) {  // nothing to wait for before the reply
    post(to, env);
    return await_reply(slot, timeout);
  }
  // A wait on back-pressure counts against the ask's timeout: it never waits longer in all.
  const auto start = std::chrono::steady_clock::now();
  bool drained = false;
  try {
    const auto wait = std::min(timeout, std::chrono::nanoseconds(config_.tell_timeout));
    drained = to.by_id() ? post_by_id_waiting(to, env, wait) : tell_waiting(to.to, env, wait);
  } catch (...) {
    // Closed: a later reply is counted. So is one that came as the wait gave up: the asker,
    // who gets the exception, never sees it.
    if (message early = await_reply(slot, std::chrono::nanoseconds(0)).reply) {
      dead_letter(early.release(), address{});
    }
    throw;
  }
  const auto left = timeout - (std::chrono::steady_clock::now() - start);
  // Even with no time left the slot is awaited: that closes it, so a late reply is a dead letter.
  return await_reply(
      slot, drained ? std::max(left, std::chrono::nanoseconds(0)) : std::chrono::nanoseconds(0));
}

void runtime::post(const destination& to, envelope* env) {
  if (!to.by_id()) return tell(to.to, env);  // a null sender stands for outside: see tell()
  (void)post_by_id_waiting(to, env, config_.tell_timeout);
}

// As tell_waiting(), for mail by id: the wait is for the id's live actor, if it went to one.
bool runtime::post_by_id_waiting(const destination& to, envelope* env,
                                 std::chrono::nanoseconds wait) {
  const intrusive_ptr<actor_cell> target = ids_->post(id_key{to.type, to.id}, env);
  bool drained = true;
  if (target && config_.mailbox_limit > 0 && outside_tells_wait() && target->congested() &&
      !in_activation()) {
    drained = wait_until_drained(*target, "id \"" + to.id + "\"", wait);
  }
  settle();
  return drained;
}

// A reference the system made sends as outside code, which has no mailbox for the reply. Used
// inside an actor it is the wrong reference, not the wrong call: say how to make the right one.
void runtime::expect_reply(std::uint64_t, std::chrono::nanoseconds,
                           std::function<void(call_reply&)>) {
  if (in_activation()) {
    throw std::logic_error(
        "actor_ref::request through a reference made by the actor_system (sys.ref): it sends as "
        "outside code, which has no mailbox for the reply. Inside an actor, make the reference "
        "with the actor's own ref<T>(address)");
  }
  throw std::logic_error(
      "actor_ref::request is for actors; outside code waits with actor_ref::ask");
}

address runtime::reply_forwarder_for(address asker, std::uint64_t request,
                                     const std::type_info& expected) {
  return address_access::make(intrusive_ptr<address_target>::adopt(
      new reply_forwarder(next_id(), *this, std::move(asker), request, expected)));
}

address runtime::spawn_with_id(const std::type_info& type, std::string id,
                               std::unique_ptr<actor_factory> factory) {
  ensure_running();
  return spawn_for_id(id_key{&type, std::move(id)}, std::move(factory), nullptr, true);
}

address runtime::spawn_for_id(const id_key& key, std::unique_ptr<actor_factory> factory,
                              spawn_request* request, bool now) {
  intrusive_ptr<actor_cell> created;
  address a = ids_->bind(key, request, [&] {
    created = register_cell(factory, address{}, {}, nullptr, &key);
    return created;
  });
  if (!created) return a;  // the id was live already
  return start(std::move(created), now ? start_mode::now : start_mode::on_worker);
}

void runtime::set_director(const std::type_info& type, address director) {
  if (director) {
    ids_->note_appointed_from_outside(director);  // before: its exit may follow at once
    ids_->direct(type, director, true);
  } else {
    ids_->direct(type, address{}, false);
  }
}

// A request among the dead letters: no answer can come, so its asker need not wait out its
// timeout. A method call's asker (outside ref.ask, or an actor's request) gets the error as the
// call's reply; any other outside ask just stops waiting.
void runtime::tell_sender_undelivered(const envelope& env, const address& to,
                                      const std::string& id) noexcept {
  address_target* const sender = address_access::target(env.sender);
  if (sender == nullptr) return;
  const std::uint64_t request = request_number(env);
  if (request == 0) return sender->sent_message_dead();
  try {
    const std::string where = id.empty() ? to.to_string() : "id \"" + id + "\"";
    const std::string what = "request " + std::to_string(request) + " (a method call of " +
                             called_class_name(env.type()) + ") to " + where;
    // Once shutdown has begun every actor is going: say so, not that this one was gone.
    auto error = stopping() ? std::make_exception_ptr(system_shut_down(
                                  what + " became a dead letter: the system has shut down or is "
                                         "shutting down"))
                            : std::make_exception_ptr(invalid_actor_address(
                                  what + " became a dead letter: no live actor took it"));
    sender->deliver(
        new envelope_of<call_reply>(address{}, call_reply{request, {}, std::move(error), true}));
  } catch (...) {
    sender->sent_message_dead();  // out of memory: an actor's request still times out
  }
}

void runtime::deliver_or_dead_letter(const address& to, envelope* env) noexcept {
  if (auto* target = address_access::target(to)) {
    target->deliver(env);
  } else {
    dead_letter(env, to);
  }
}

void runtime::dead_letter_for_id(envelope* env, const std::string& id) noexcept {
  dead_letter(env, address{}, id);
}

// Back-pressure for outside callers: block until the target drains or exits, or time out.
bool runtime::wait_until_drained(address_target& target, const std::string& where,
                                 std::chrono::nanoseconds wait) {
  struct gate {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;
  };
  auto g = std::make_shared<gate>();
  const bool waiting = target.wait_until_drained([g] {
    std::lock_guard lock(g->mutex);
    g->open = true;
    g->opened.notify_all();
  });
  if (!waiting) return true;
  std::unique_lock lock(g->mutex);
  if (g->opened.wait_for(lock, wait, [&] { return g->open; })) return true;
  if (wait < config_.tell_timeout) return false;  // the caller's own, shorter limit
  throw actor_system_request_timeout(
      "tell to " + where + ": its mailbox stayed above the limit of " +
      std::to_string(config_.mailbox_limit) + " messages for " +
      std::to_string(config_.tell_timeout.count()) + " ms (the message is queued)");
}

// Refused inside an actor of this system, as ask() is: it would block a worker for what other
// actors send to outside code, and take it from that code.
message runtime::listen(std::chrono::nanoseconds timeout) {
  if (in_activation()) {
    throw std::logic_error(
        "actor_system::listen is for outside code: it reads what actors send to it. Inside an "
        "actor, messages arrive through its handlers");
  }
  settle();
  return inbox_->take(listen_wait(timeout));
}

void runtime::dead_letter(envelope* env, const address& to) noexcept {
  dead_letter(env, to, std::string());
}

void runtime::dead_letter(envelope* env, const address& to, std::string id) noexcept {
  if (const auto* reply = payload_if<call_reply>(env); reply && reply->from_system) {
    destroy_envelope(env);  // news for an asker that stopped waiting: nobody sent it
    return;
  }
  if (payload_if<spawn_request>(env) != nullptr) {
    // Its director was gone before it answered. Dropped, the request's ticket declines and the
    // mail it stood for becomes dead letters, each counted. Not a dead letter itself: it was
    // nobody's message, and a dead-letter handler keeping it would keep the id's mail parked.
    destroy_envelope(env);
    return;
  }
  tell_sender_undelivered(*env, to, id);
  address handler;
  {
    std::lock_guard lock(mutex_);
    handler = dead_letter_handler_;
  }
  // A dead letter to the handler itself, or a wrapped one that failed again, is only counted:
  // wrapping it once more could loop forever.
  if (!handler || handler == to || payload_if<dead_envelope>(env) != nullptr) {
    dead_letters_.fetch_add(1, std::memory_order_relaxed);
    destroy_envelope(env);
    return;
  }
  address sender = std::move(env->sender);
  address_access::target(handler)->deliver(new envelope_of<dead_envelope>(
      std::move(sender), dead_envelope{message(env), to, std::move(id)}));
}

void runtime::set_dead_letter_handler(actor_cell& cell, bool start) {
  const address me = cell.self();
  std::lock_guard lock(mutex_);
  if (start) {
    dead_letter_handler_ = me;  // the latest registration wins
  } else if (dead_letter_handler_ == me) {
    dead_letter_handler_ = address{};
  }
}

void runtime::forget(actor_cell& cell) noexcept {
  intrusive_ptr<actor_cell> last = live_.remove(cell);  // released last, outside every lock
  if (!cell.name().empty() || cell.was_dead_letter_handler()) {
    address name_holder;  // released outside the lock
    std::lock_guard lock(mutex_);
    name_holder = take_name_of(cell);
    if (address_access::id(dead_letter_handler_) == cell.id()) {
      name_holder = std::exchange(dead_letter_handler_, address{});  // its exit leaves none
    }
  }
  notify_registry_changed(false);
}

void runtime::free_name(const actor_cell& cell) noexcept {
  address name_holder;  // released outside the lock
  std::lock_guard lock(mutex_);
  name_holder = take_name_of(cell);
}

// Guarded by mutex_. The name is free for a new actor; returns the address it held. Only if it
// is still this cell's: freed at the start of its exit, it may be another's by its end.
address runtime::take_name_of(const actor_cell& cell) noexcept {
  if (cell.name().empty()) return {};
  auto it = names_.find(cell.name());
  if (it == names_.end() || address_access::id(it->second) != cell.id()) return {};
  address holder = std::move(it->second);
  names_.erase(it);
  return holder;
}

capability_map runtime::capabilities() const {
  std::lock_guard lock(mutex_);
  return capabilities_;
}

void runtime::update_capability(std::string name, std::optional<capability_value> value) {
  std::vector<intrusive_ptr<actor_cell>> constrained;
  capability_map now;
  {
    std::lock_guard lock(mutex_);
    auto it = capabilities_.find(name);
    if (value) {
      if (it != capabilities_.end() && it->second == *value) return;  // no change, no actor
      capabilities_[std::move(name)] = std::move(*value);
    } else {
      if (it == capabilities_.end()) return;
      capabilities_.erase(it);
    }
    now = capabilities_;
    live_.for_each([&](actor_cell& cell) {
      if (!cell.required().empty()) constrained.push_back(intrusive_ptr<actor_cell>::share(&cell));
    });
  }
  for (auto& cell : constrained) {
    if (!cell->required().unmet_by(now).empty()) {
      cell->deliver(new envelope_of<actor_exit_request>(
          address{}, actor_exit_request{true, exit_reason::capability_lost}));
    }
  }
  settle();
}

bool runtime::first_unhandled(const std::type_info& actor_type,
                              const std::type_info& message_type) {
  std::lock_guard lock(unhandled_mutex_);
  return unhandled_logged_.emplace(actor_type, message_type).second;
}

system_status runtime::status() const {
  system_status s;
  s.dead_letter_count = dead_letter_count();
  s.unhandled_count = unhandled_.load(std::memory_order_relaxed);
  s.shutting_down = shutting_down_.load(std::memory_order_relaxed);
  s.pending_timers = const_cast<runtime*>(this)->timers().pending();
  {
    std::lock_guard lock(mutex_);
    s.dead_letter_handler = dead_letter_handler_;
    s.capabilities = capabilities_;
  }
  live_.for_each([&](actor_cell& cell) { s.live_actors.push_back(cell.self()); });
  std::sort(s.live_actors.begin(), s.live_actors.end());
  return s;
}

std::size_t runtime::live_actor_count() const {
  return live_.size();
}

std::vector<intrusive_ptr<actor_cell>> runtime::cells_to_ask_to_exit() {
  std::vector<intrusive_ptr<actor_cell>> cells;
  live_.for_each([&](actor_cell& cell) {
    if (cell.mark_exit_requested()) cells.push_back(intrusive_ptr<actor_cell>::share(&cell));
  });
  return cells;
}

// Tells a waiting shutdown that a cell was registered or removed. Called after the change.
//
// Only shutdown waits, and only after it set shutting_down_; before that, skipping the lock and
// the broadcast saves both per actor created and exited, and loses no wake-up: shutdown looks
// at a registry shard (under its lock) only after its store, so a change in that shard is
// either seen by that look, or made later under the same lock — and then this load sees the
// store. A change seen here is counted and broadcast under changes_mutex_, under which
// shutdown checks its condition before it sleeps.
void runtime::notify_registry_changed(bool registered) noexcept {
  if (!shutting_down_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(changes_mutex_);
  if (registered) ++registrations_;
  registry_changed_.notify_all();
}

// Waits until no actor is alive (true), one registered since `seen` (true: ask it too), or the
// deadline (false).
bool runtime::await_exits(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(changes_mutex_);
  return registry_changed_.wait_until(lock, deadline,
                                      [&] { return live_.size() == 0 || registrations_ != seen; });
}

shutdown_report runtime::shutdown() noexcept {
  // Inside an actor's constructor too: a top-level one runs on the creating thread, outside
  // every activation, and waiting would wait for the very actor being built (the whole
  // shutdown_timeout, then reporting it busy in a handler).
  if (in_activation() || constructing_context() != nullptr) return start_shutdown_from_inside();
  // Concurrent callers wait for the first one (bounded by its deadline) and share its report.
  std::lock_guard once(shutdown_mutex_);
  if (shutdown_report_) return *shutdown_report_;
  shutting_down_.store(true, std::memory_order_relaxed);
  const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_timeout;
  shutdown_report report;
  std::uint64_t seen = 0;
  while (!ask_remaining_to_exit(seen)) {
    // A registration ends the wait early, however late: with the deadline checked only when a
    // wait timed out, actors that kept creating others while they exited kept shutdown going.
    if (await_exits(seen, deadline) && std::chrono::steady_clock::now() < deadline) continue;
    report = unfinished_actors();
    if (report.clean()) continue;  // the last one exited just now
    log_unfinished(report);
    break;
  }
  stopped_.store(true, std::memory_order_relaxed);
  stop(report.clean());
  ids_->discard_all_mail();  // after stop(): nothing can take that mail any more
  if (report.clean()) {
    // No actor is left to answer an outside ask or send to listen(): their waits end now
    // (an unfinished actor may still answer once its handler returns, so not after a stuck one).
    blocked_asks_.give_up_all();
    inbox_->stop_waiting();
  }
  shutdown_report_ = report;
  return report;
}

// From inside one of the system's actors, shutdown cannot wait for the actors to exit: the
// caller is one of them, busy in the handler that called, and waited out the whole deadline
// for itself. It asks them all to exit and returns at once, with the ones still alive (the
// caller among them); outside code's shutdown(), or the system's destructor, finishes.
shutdown_report runtime::start_shutdown_from_inside() noexcept {
  // Not waiting for a shutdown in progress outside: that one waits for this very actor.
  std::unique_lock once(shutdown_mutex_, std::try_to_lock);
  if (once.owns_lock() && shutdown_report_) return *shutdown_report_;
  if (once.owns_lock()) {
    shutting_down_.store(true, std::memory_order_relaxed);
    std::uint64_t seen = 0;
    (void)ask_remaining_to_exit(seen);
  }
  return unfinished_actors();
}

void runtime::wait_until_all_exited() noexcept {
  // An actor that returns from a stuck handler may create children: they are asked too.
  std::uint64_t seen = 0;
  while (!ask_remaining_to_exit(seen)) {
    (void)await_exits(seen, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
}

// Sends a shutdown exit request to every live actor not asked yet and runs what that caused;
// returns true if no actor is alive. Sets `seen` to the registrations counted before it looked,
// so that an actor registered after its look, even before the caller waits, ends the wait.
bool runtime::ask_remaining_to_exit(std::uint64_t& seen) {
  {
    std::lock_guard lock(changes_mutex_);
    seen = registrations_;
  }
  for (auto& cell : cells_to_ask_to_exit()) {
    cell->deliver(new envelope_of<actor_exit_request>(
        address{}, actor_exit_request{true, exit_reason::shutdown}));
  }
  settle();
  if (live_actor_count() != 0) return false;
  // The count visits the shards one at a time, so it is no snapshot: an actor registered in a
  // shard already visited by one that left a shard not visited yet is missed. That
  // registration was counted before the leaving (on the creator's thread), so it shows here.
  std::lock_guard lock(changes_mutex_);
  return registrations_ == seen;
}

shutdown_report runtime::unfinished_actors() const {
  shutdown_report report;
  live_.for_each([&](actor_cell& cell) {
    const unfinished_reason reason = cell.unfinished_because();
    address waiting_on;  // a snapshot: it may have unparked since, and this stays empty
    if (reason == unfinished_reason::waiting_for_a_full_mailbox) {
      waiting_on = address_access::make(cell.parked_on());
    }
    report.unfinished.push_back(
        {cell.self(), type_name(cell.actor_type()), reason, std::move(waiting_on)});
  });
  std::sort(report.unfinished.begin(), report.unfinished.end(),
            [](const auto& a, const auto& b) { return a.actor < b.actor; });
  return report;
}

// Warns through the system's log sink, one record per actor, so the stuck ones are visible even
// to a caller that ignores the report.
void runtime::log_unfinished(const shutdown_report& report) const noexcept {
  if (config_.log_threshold > log_level::warning) return;
  try {
    for (const auto& actor : report.unfinished) {
      log_record record{log_level::warning, actor.actor, actor.actor_class,
                        "did not exit by the shutdown deadline (" +
                            std::to_string(config_.shutdown_timeout.count()) +
                            " ms): " + std::string(to_string(actor.reason)),
                        std::chrono::system_clock::now()};
      if (config_.log_to) {
        config_.log_to(record);
      } else {
        stderr_log_sink(record);
      }
    }
  } catch (...) {
    // A failing sink must not break shutdown; the report still says everything.
  }
}

}  // namespace thespis::detail
