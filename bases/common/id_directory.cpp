#include "bases/common/id_directory.hpp"

#include <utility>

#include "bases/common/actor_cell.hpp"
#include "bases/common/runtime.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"

namespace thespis::detail {

namespace {
// Rides in a spawn_request; dropping the request without creating the actor declines it.
struct spawn_ticket {
  spawn_ticket(std::weak_ptr<id_directory> d, id_key k, std::uint64_t g)
      : directory(std::move(d)), key(std::move(k)), generation(g) {}
  spawn_ticket(const spawn_ticket&) = delete;
  spawn_ticket& operator=(const spawn_ticket&) = delete;

  std::weak_ptr<id_directory> directory;
  id_key key;
  std::uint64_t generation;
  bool used = false;

  ~spawn_ticket() {
    if (used) return;
    if (auto d = directory.lock()) d->decline(key, generation);
  }
};

// Returns a spawn_request for `key`, or null when out of memory. Called under the directory's
// lock: a ticket made before the failure is marked used, or its destructor would decline, and
// lock the directory again on this thread.
envelope* make_request(const std::weak_ptr<id_directory>& directory, const id_key& key,
                       std::uint64_t generation) noexcept {
  std::shared_ptr<spawn_ticket> ticket;
  try {
    ticket = std::make_shared<spawn_ticket>(directory, key, generation);
    return new envelope_of<spawn_request>(address{}, spawn_request{key.id, key.type, ticket});
  } catch (...) {
    if (ticket) ticket->used = true;
    return nullptr;
  }
}

void give_up(runtime& rt, envelope* env, const id_key& key) noexcept {
  env->set_routed_by_id(false);
  rt.dead_letter_for_id(env, key.id);
}
}  // namespace

// What is left here is not counted: the runtime that counts dead letters owns this directory and
// is being destroyed. Shutdown gave up what waited then (discard_all_mail); only mail posted by
// an actor stuck past the shutdown deadline can land here afterwards.
id_directory::~id_directory() {
  for (auto& [key, e] : entries_) {
    for (auto* env : e.returned)
      destroy_envelope(env);
    for (auto* env : e.waiting)
      destroy_envelope(env);
  }
}

intrusive_ptr<actor_cell> id_directory::post(const id_key& key, envelope* env) {
  env->set_routed_by_id(true);
  after_unlock todo;
  intrusive_ptr<actor_cell> live;
  {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = entries_.try_emplace(key);
    entry& e = it->second;
    if (e.cell && !e.retiring) {
      live = e.cell;
    } else {
      e.waiting.push_back(env);
      if (!e.cell && !e.requested) request_or_drop(it, todo);
    }
  }
  // Delivered outside the lock: the live actor got its waiting mail before it became live, so
  // this cannot overtake it.
  if (live) live->deliver(env);
  carry_out(std::move(todo), key);
  return live;
}

// With mail waiting and no actor: asks the director for one, or gives the entry up (no
// director, shutting down, or no memory for the request).
void id_directory::request_or_drop(entries::iterator it, after_unlock& todo) noexcept {
  auto director = directors_.find(std::type_index(*it->first.type));
  if (director != directors_.end() && !runtime_.stopping()) {
    todo.request = make_request(self_, it->first, generations_ + 1);
    if (todo.request) {
      it->second.requested = true;
      it->second.generation = ++generations_;
      todo.director = director->second;
      return;
    }
  }
  todo.dropped = entries_.extract(it);
}

// Puts `unread`, then the mail that came back after the close, ahead of what waits. Returns
// false, changing nothing, when out of memory.
bool id_directory::requeue(entry& e, std::vector<envelope*>& unread) noexcept {
  if (unread.empty() && e.returned.empty()) return true;
  try {
    std::deque<envelope*> merged(unread.begin(), unread.end());
    merged.insert(merged.end(), e.returned.begin(), e.returned.end());
    merged.insert(merged.end(), e.waiting.begin(), e.waiting.end());
    e.waiting.swap(merged);
  } catch (...) {
    return false;
  }
  unread.clear();
  e.returned.clear();
  return true;
}

void id_directory::carry_out(after_unlock todo, const id_key& key) noexcept {
  if (todo.request) runtime_.deliver_or_dead_letter(todo.director, todo.request);
  for (auto* env : todo.drop)
    give_up(runtime_, env, key);
  if (todo.dropped) {
    for (auto* env : todo.dropped.mapped().returned)
      give_up(runtime_, env, key);
    for (auto* env : todo.dropped.mapped().waiting)
      give_up(runtime_, env, key);
  }
}

address id_directory::bind(const id_key& key, spawn_request* request,
                           const std::function<intrusive_ptr<actor_cell>()>& make_cell) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = entries_.try_emplace(key);
  entry& e = it->second;
  if (e.cell) return address_access::make(e.cell);  // live (or still retiring): one per id
  auto* ticket = request ? static_cast<spawn_ticket*>(request->ticket.get()) : nullptr;
  if (request && !(ticket && e.requested && ticket->generation == e.generation)) {
    // A stale request: an explicit creation took the mail it was for (and what waits now, if
    // anything, has a newer request out). An actor made for it would be one nobody asked for.
    if (fresh) entries_.erase(it);
    return address{};
  }
  intrusive_ptr<actor_cell> cell;
  try {
    cell = make_cell();
  } catch (...) {
    if (fresh) entries_.erase(it);
    throw;  // an unanswered request still declines when it is dropped
  }
  if (ticket) ticket->used = true;
  // Hand over the waiting mail before the id counts as live: later posts queue behind it. The
  // cell has not started, so these pushes schedule nothing.
  for (auto* env : e.waiting)
    cell->deliver(env);
  e.waiting.clear();
  e.requested = false;
  e.cell = cell;
  return address_access::make(std::move(cell));
}

void id_directory::retiring(const id_key& key, const actor_cell& cell) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.cell.get() == &cell) it->second.retiring = true;
}

void id_directory::retired(const id_key& key, const actor_cell& cell, std::vector<envelope*> unread,
                           bool respawn) noexcept {
  after_unlock todo;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.cell.get() != &cell) {
      todo.drop.swap(unread);  // not bound (cannot happen): nothing to keep order with
    } else {
      entry& e = it->second;
      e.cell = {};
      e.retiring = false;
      if (!respawn) todo.drop.swap(unread);  // the mail a failed actor held dies with it
      // Unread mail came first, then what arrived after the close, then what waited.
      if (!requeue(e, unread)) {
        // Out of memory: no order can be kept, so all of the id's mail is given up.
        if (todo.drop.empty()) todo.drop.swap(unread);
        todo.dropped = entries_.extract(it);
      } else if (e.waiting.empty()) {
        entries_.erase(it);
      } else {
        request_or_drop(it, todo);
      }
    }
  }
  carry_out(std::move(todo), key);
}

void id_directory::returned(const id_key& key, const actor_cell& cell, envelope* env) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.cell.get() == &cell) {
      it->second.returned.push_back(env);
      return;
    }
  }
  (void)post(key, env);  // the id moved on already: route it afresh
}

void id_directory::direct(const std::type_info& type, const address& director, bool start) {
  std::lock_guard lock(mutex_);
  if (start) {
    directors_.insert_or_assign(std::type_index(type), director);
  } else if (auto it = directors_.find(std::type_index(type));
             it != directors_.end() && (!director || it->second == director)) {
    directors_.erase(it);
  }
}

void id_directory::forget_director(const address& director) {
  std::lock_guard lock(mutex_);
  std::erase_if(directors_, [&](const auto& d) { return d.second == director; });
}

void id_directory::keep_state(const id_key& key, std::string state) {
  std::lock_guard lock(mutex_);
  kept_.insert_or_assign(key, std::move(state));
}

std::optional<std::string> id_directory::take_state(const id_key& key) {
  std::lock_guard lock(mutex_);
  auto it = kept_.find(key);
  if (it == kept_.end()) return std::nullopt;
  std::string state = std::move(it->second);
  kept_.erase(it);
  return state;
}

void id_directory::decline(const id_key& key, std::uint64_t generation) noexcept {
  after_unlock todo;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.cell || !it->second.requested ||
        it->second.generation != generation) {
      return;
    }
    todo.dropped = entries_.extract(it);
  }
  carry_out(std::move(todo), key);
}

void id_directory::discard_all_mail() noexcept {
  entries taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(entries_);  // a stuck id actor that retires later finds no entry: its mail drops
  }
  for (auto& [key, e] : taken) {
    for (auto* env : e.returned)
      give_up(runtime_, env, key);
    for (auto* env : e.waiting)
      give_up(runtime_, env, key);
  }
}

std::size_t id_directory::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace thespis::detail
