// The actor cell's links to other actors beyond parent and children: its (class, id) route,
// the actors watching it, the replies it awaits, and directorships.
#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

#include "bases/common/actor_cell.hpp"
#include "bases/common/runtime.hpp"
#include "core/ask_result.hpp"
#include "core/detail/method_call.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"

namespace thespis::detail {

namespace {
// Warns that a request's reply handler threw. Guarded as object_actor::log_error is: resume()
// runs inside the activation, which is noexcept, so a log sink that threw as well ended the
// process (std::terminate).
void log_failed_reply_handler(actor_cell& cell, const std::exception_ptr& error) noexcept {
  try {
    std::string text = "a request's reply handler failed";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      text += std::string(": ") + e.what();
    } catch (...) {
    }
    cell.log(log_level::warning, text);
  } catch (...) {  // the log sink failed too: nothing left to tell
  }
}
}  // namespace

const id_key* actor_cell::key() const noexcept {
  const rare_state* const r = rare();
  return r && r->set && r->set->key ? &*r->set->key : nullptr;
}

// Handles the system messages about links; returns true if the actor must not see msg.
bool actor_cell::handle_link_message(message& msg, const address& sender) noexcept {
  if (auto* reply = msg.try_get<call_reply>()) {
    if (!exiting_ && resume(*reply)) return true;
    // An answer nobody waits for any more (it came after the timeout, or the actor is exiting)
    // is undelivered mail; the timeout of a request already answered just goes.
    if (!reply->from_system) dead_reply(msg.release(), sender);
    return true;
  }
  if (auto* failure = msg.try_get<child_failed>()) {
    on_child_failed(*failure);
    return true;
  }
  if (msg.is<restart_request>()) {
    if (!exiting_ && instance()) restart();
    return true;
  }
  if (auto* request = msg.try_get<watch_request>()) {
    if (request->sender_gone) {
      forget_watched(sender);
      return true;
    }
    try {
      auto& watchers = links_state().watchers;
      if (request->start) {
        watchers.push_back(sender);
      } else if (auto it = std::find(watchers.begin(), watchers.end(), sender);
                 it != watchers.end()) {
        watchers.erase(it);
      }
    } catch (...) {
      // Out of memory: the watch is lost, as a message would be.
    }
    return true;
  }
  return false;
}

// The answer inside, not the call_reply the system wrapped it in (a type of Thespis's own that no
// dead-letter handler can match), from who answered: a late reply reached the handler as a
// thespis::detail::call_reply from the system's outside address. `sender` is the wrapper's
// sender, or outside code's address if it had none; an answer made by a plain object's method
// has none of its own: its sender is the object's actor, who sent the wrapper.
void actor_cell::dead_reply(envelope* env, const address& sender) noexcept {
  envelope* answer = payload_if<call_reply>(env)->value.release();
  if (answer == nullptr) {  // a void method's, or an error: only the wrapper tells of it
    env->sender = sender;
    return runtime_.dead_letter(env, self());
  }
  if (!answer->sender) answer->sender = sender;
  destroy_envelope(env);
  runtime_.dead_letter(answer, self());
}

// Mail sent by id that this exiting actor will not handle waits for the id's next actor.
void actor_cell::keep_unread(envelope* env) noexcept {
  try {
    links_state().unread_by_id.push_back(env);
  } catch (...) {
    runtime_.dead_letter(env, self());
  }
}

// True for what the actor's own timers send it: wakeups, transient checks, reply timeouts.
bool actor_cell::is_own_timer(envelope* env) noexcept {
  if (payload_if<wakeup_message>(env) || payload_if<wakeups_due>(env) ||
      payload_if<transient_check>(env))
    return true;
  const auto* reply = payload_if<call_reply>(env);
  return reply && reply->from_system;
}

void actor_cell::give_back_unhandled(envelope* env) noexcept {
  if (is_mail_for_the_id(env)) return keep_unread(env);  // for the id's next actor
  runtime_.dead_letter(env, self());
}

void actor_cell::count_unhandled(const std::type_info& message_type) noexcept {
  runtime_.count_unhandled();
  try {
    if (runtime_.first_unhandled(actor_type(), message_type)) {
      log(log_level::warning, "no handler for " + type_name(message_type) +
                                  ": dropped (counted in system_status::unhandled_count; more "
                                  "of this type to this class are not logged)");
    }
  } catch (...) {
    // Out of memory, or a log sink that throws: the message is counted all the same.
  }
}

// Mail that found the mailbox closed: the actor is gone.
void actor_cell::deliver_after_close(envelope* env) noexcept {
  if (is_own_timer(env) || payload_if<actor_exit_request>(env) ||
      payload_if<restart_request>(env) || payload_if<child_failed>(env)) {
    // A timer that was already firing as the actor exited dies with it; asking a gone actor to
    // exit, or to restart (an all_for_one sibling that exited as the group failed), or telling
    // a gone parent of a failure, loses nothing.
    destroy_envelope(env);
  } else if (is_mail_for_the_id(env)) {
    runtime_.ids().returned(*key(), *this, env);  // ahead of what waits for the next actor
  } else if (auto* request = payload_if<watch_request>(env)) {
    if (request->start) tell_watcher(env->sender, exit_reason::unknown);
    destroy_envelope(env);
  } else if (const auto* reply = payload_if<call_reply>(env)) {
    // The system's own (a timeout, news of a dead letter) is never a dead letter.
    if (reply->from_system) return destroy_envelope(env);
    const address sender = env->sender ? env->sender : runtime_.outside_sender();
    dead_reply(env, sender);
  } else {
    runtime_.dead_letter(env, self());
  }
}

// The actor is gone: its id moves on, its watchers hear why, its directorships end.
void actor_cell::announce_exit() noexcept {
  const address me = self();
  links* const l = links_made();
  std::vector<envelope*> unread;
  if (l) unread = std::move(l->unread_by_id);
  if (const id_key* k = key()) {
    runtime_.ids().retired(*k, *this, std::move(unread),
                           exit_reason_ != exit_reason::construction_failed);
  }
  // A director it made itself (direct()) is marked in its links; one outside code appointed
  // is not, and kept its gone address, and the cell, in the directory for good.
  if ((l && l->directs) || runtime_.ids().may_be_appointed_from_outside(me)) {
    runtime_.ids().forget_director(me);
  }
  if (!l) return;
  for (auto& watcher : l->watchers) {
    if (watcher == me) continue;  // watching itself: nobody is left to tell
    tell_watcher(watcher, exit_reason_);
  }
  // The actors it watched forget it: else each kept it in its list until it exited, and then
  // told a long-gone watcher (200,000 short-lived watchers of one service: 29 MB, then as
  // many dead letters).
  for (auto& target : l->watching) {
    if (auto* to = address_access::target(target)) {
      to->deliver(new envelope_of<watch_request>(me, watch_request{false}));
    }
  }
  *l = links{};
}

// Tells a watcher that this actor is gone, and has it forget this actor: else the watcher's
// `watching` entry kept this cell allocated until the watcher exited (a monitor watching
// 200,000 short-lived workers in turn grew to 102 MB; it now stays near 25). The second
// message comes right behind the first: each entry, one per watch(), has its own pair.
void actor_cell::tell_watcher(const address& watcher, exit_reason why) noexcept {
  const address me = self();
  runtime_.deliver_or_dead_letter(watcher,
                                  new envelope_of<actor_exited>(me, actor_exited{me, why}));
  if (auto* to = address_access::target(watcher)) {
    to->deliver(new envelope_of<watch_request>(me, watch_request{false, true}));
  }
}

// A watched actor is gone: its notice came just before.
void actor_cell::forget_watched(const address& target) noexcept {
  links* const l = links_made();
  if (!l) return;
  if (auto it = l->watching.find(target); it != l->watching.end()) l->watching.erase(it);
}

void actor_cell::send_by_id(const std::type_info& type, std::string id, envelope* env) {
  // Back-pressure as for mail by address (see post()).
  const intrusive_ptr<actor_cell> target = runtime_.ids().post(id_key{&type, std::move(id)}, env);
  if (target && pressure() && target->congested()) slow_down_for(*target);
}

address actor_cell::spawn_with_id(const std::type_info& type, std::string id,
                                  std::unique_ptr<actor_factory> factory, spawn_request* request) {
  return runtime_.spawn_for_id(id_key{&type, std::move(id)}, std::move(factory), request, false);
}

void actor_cell::direct(const std::type_info& type, bool start) {
  if (start) links_state().directs = true;
  runtime_.ids().direct(type, self(), start);
}

void actor_cell::watch(const address& target, bool start) {
  auto* to = address_access::target(target);
  if (to == nullptr) {
    // The null address names no actor, as a gone one names none any more: answered alike, at
    // once (it was ignored, and a watcher waiting for the notice waited for ever).
    if (start)
      deliver(new envelope_of<actor_exited>(target, actor_exited{target, exit_reason::unknown}));
    return;
  }
  // Sent to outside code, the request was taken as an ask's reply (the answer then a dead
  // letter) or reached listen(); kept by the watcher, it held reply addresses for good.
  if (to->is_outside_code()) return;
  // Kept as the request's address, the watch was never forgotten (the exit notice names the
  // asker), and held the gone asker's cell for as long as the watcher lived.
  if (const address* actor = to->stands_for()) return watch(*actor, start);
  auto& watching = links_state().watching;
  if (start) {
    watching.insert(target);
  } else if (auto it = watching.find(target); it != watching.end()) {
    watching.erase(it);
  }
  to->deliver(new envelope_of<watch_request>(self(), watch_request{start}));
}

void actor_cell::post(const destination& to, envelope* env) {
  env->sender = self();
  if (to.by_id()) return send_by_id(*to.type, to.id, env);
  auto* target = address_access::target(to.to);
  if (target == nullptr) return undeliverable(env);
  target->deliver(env);
  if (pressure() && target->congested()) slow_down_for(*target);
}

asked actor_cell::ask(const destination&, envelope* env, std::chrono::nanoseconds) {
  destroy_envelope(env);
  throw std::logic_error(
      "actor_ref::ask blocks and is for outside code; inside an actor use request(...).then(...)");
}

// From the system's one counter, not the actor's own: a reply is matched by its number alone,
// and an actor that forwards a method call it was sent (send(backend, std::move(msg))) gets its
// reply. With numbers counted per actor, that reply carried the forwarder's own number of a
// pending request of its own, and answered it with the other request's value (42 for a request
// that was never answered). Numbers unique in the system make such a reply one nobody awaits: a
// dead letter. The shared counter costs an atomic add per request, beside the request's timer
// (a mutex) and its map entry.
//
// A request made while the actor receives marks the message as having work for its end
// (close_requests), as a handler registration does: no cost for a message that makes none. (The
// constructor's end always closes.) The links part, where then() will wait for the reply, is
// made now, so that the close has it.
std::uint64_t actor_cell::next_request() noexcept {
  const actor_code code = in_actor_code_.load(std::memory_order_relaxed);
  if (code != actor_code::none) {
    if (code == actor_code::receiving)
      in_actor_code_.store(actor_code::handlers_changed, std::memory_order_relaxed);
    try {
      (void)links_state();
    } catch (const std::bad_alloc&) {
      // Out of memory: a late then() for this request is not refused; it waits out its
      // timeout, as before. Its own then() makes the links, or fails as it would have.
    }
  }
  return runtime_.next_request();
}

// The handler, reply handler or constructor has returned: then() for the requests it made is
// too late. Without this, a late then() armed a new timeout, and the reply, if it had come in
// between, had been a dead letter: the actor waited the whole timeout for a reply now gone.
void actor_cell::close_requests() noexcept {
  if (links* l = links_made()) l->then_closed_below = runtime_.next_request_number();
}

void actor_cell::expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                              std::function<void(call_reply&)> resume) {
  // A second then() on one request replaced the first's handlers without a word and left the
  // first's timeout armed, holding this cell for as long as the timeout (an hour, say).
  if (const links* l = links_made(); l && l->awaited.contains(request)) {
    throw std::logic_error("then() was called already for request " + std::to_string(request) +
                           ": a request's reply is awaited once");
  }
  if (const links* l = links_made(); l && request < l->then_closed_below) {
    throw std::logic_error("then() for request " + std::to_string(request) +
                           " comes after the handler that made the request returned: call "
                           "then() in that handler (a reply that came in between was a dead "
                           "letter)");
  }
  auto error = std::make_exception_ptr(actor_system_request_timeout(
      "request " + std::to_string(request) + " of " + self().to_string() + ": no reply within " +
      timeout_text(timeout)));
  message expiry(new envelope_of<call_reply>(address{}, call_reply{request, {}, error, true}));
  auto target = intrusive_ptr<actor_cell>::share(this);
  const timer_id timer = runtime_.timers().schedule_after(
      std::chrono::duration_cast<timer_service::duration>(timeout),
      [cell = std::move(target), expiry = std::move(expiry)]() mutable {
        cell->deliver(expiry.release());
      });
  links_state().awaited.insert_or_assign(request, links::awaited_reply{std::move(resume), timer});
}

address actor_cell::reply_address(std::uint64_t request, const std::type_info& expected) {
  return runtime_.reply_forwarder_for(self(), request, expected);
}

// A reply, or its timeout, whichever comes first; returns false for the other, which finds
// nothing to resume.
bool actor_cell::resume(call_reply& reply) noexcept {
  links* const l = links_made();
  if (!l) return false;
  auto it = l->awaited.find(reply.request);
  if (it == l->awaited.end()) return false;
  auto awaited = std::move(it->second);
  l->awaited.erase(it);
  (void)runtime_.timers().cancel(awaited.timeout);
  std::exception_ptr failed;
  // The actor's code, as receive() is: handlers it registers apply once it returns.
  in_actor_code_.store(actor_code::receiving, std::memory_order_relaxed);
  try {
    awaited.resume(reply);
  } catch (const unhandled_request_error& e) {  // then(on_value)'s default: only logged
    log_failed_reply_handler(*this, e.error);
  } catch (...) {
    failed = std::current_exception();
  }
  if (in_actor_code_.load(std::memory_order_relaxed) == actor_code::handlers_changed) {
    close_requests();
    install_changed_handlers(failed);
  }
  in_actor_code_.store(actor_code::none, std::memory_order_relaxed);
  awaited.resume = nullptr;  // what it captured goes before a restart replaces the instance
  if (failed) {
    log_failed_reply_handler(*this, failed);
    // A reply handler is the actor's handler, run later: under supervision its failure counts
    // as a handler's (a restart, or escalation past the limit). Unsupervised, the actor goes
    // on, as after a message that failed twice. Not retried: the reply was moved into it.
    if (supervised() && !exiting_) on_failure();
  }
  return true;
}

void actor_cell::keep_state(std::string state) {
  if (const id_key* k = key()) runtime_.ids().keep_state(*k, std::move(state));
}

std::optional<std::string> actor_cell::take_kept_state() {
  const id_key* k = key();
  return k ? runtime_.ids().take_state(*k) : std::nullopt;
}

}  // namespace thespis::detail
