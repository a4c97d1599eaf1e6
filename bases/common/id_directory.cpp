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
}  // namespace

id_directory::~id_directory() {
  for (auto& [key, e] : entries_) {
    for (auto* env : e.returned)
      delete env;
    for (auto* env : e.waiting)
      delete env;
  }
}

void id_directory::post(const id_key& key, envelope* env) {
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
      if (!e.cell && !e.requested) todo = request_or_drop(it);
    }
  }
  // Delivered outside the lock: the live actor got its waiting mail before it became live, so
  // this cannot overtake it.
  if (live) live->deliver(env);
  carry_out(std::move(todo), key);
}

// With mail waiting and no actor: asks the director for one, or gives the mail up.
id_directory::after_unlock id_directory::request_or_drop(entries::iterator it) {
  entry& e = it->second;
  auto director = directors_.find(std::type_index(*it->first.type));
  if (director == directors_.end() || runtime_.stopping()) {
    after_unlock todo;
    todo.drop.assign(e.waiting.begin(), e.waiting.end());
    entries_.erase(it);
    return todo;
  }
  e.requested = true;
  e.generation = ++generations_;
  auto ticket = std::make_shared<spawn_ticket>(self_, it->first, e.generation);
  after_unlock todo;
  todo.request = new envelope_of<spawn_request>(
      address{}, spawn_request{it->first.id, it->first.type, std::move(ticket)});
  todo.director = director->second;
  return todo;
}

void id_directory::carry_out(after_unlock todo, const id_key& key) noexcept {
  if (todo.request) runtime_.deliver_or_dead_letter(todo.director, todo.request);
  for (auto* env : todo.drop) {
    env->set_routed_by_id(false);
    runtime_.dead_letter_for_id(env, key.id);
  }
}

address id_directory::bind(const id_key& key, spawn_request* request,
                           const std::function<intrusive_ptr<actor_cell>()>& make_cell) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = entries_.try_emplace(key);
  entry& e = it->second;
  if (e.cell) return address_access::make(e.cell);  // live (or still retiring): one per id
  intrusive_ptr<actor_cell> cell;
  try {
    cell = make_cell();
  } catch (...) {
    if (fresh) entries_.erase(it);
    throw;  // an unanswered request still declines when it is dropped
  }
  if (request) {
    if (auto* ticket = static_cast<spawn_ticket*>(request->ticket.get())) ticket->used = true;
  }
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
                           bool respawn) {
  after_unlock todo;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.cell.get() != &cell) {
      todo.drop = std::move(unread);  // not bound (cannot happen): nothing to keep order with
    } else {
      entry& e = it->second;
      e.cell = {};
      e.retiring = false;
      // Unread mail came first, then what arrived after the close, then what waited.
      e.waiting.insert(e.waiting.begin(), e.returned.begin(), e.returned.end());
      e.waiting.insert(e.waiting.begin(), unread.begin(), unread.end());
      e.returned.clear();
      if (e.waiting.empty()) {
        entries_.erase(it);
      } else if (!respawn) {
        todo.drop.assign(e.waiting.begin(), e.waiting.end());
        entries_.erase(it);
      } else {
        todo = request_or_drop(it);
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
  post(key, env);  // the id moved on already: route it afresh
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

void id_directory::decline(const id_key& key, std::uint64_t generation) {
  after_unlock todo;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.cell || it->second.generation != generation) return;
    todo.drop.assign(it->second.waiting.begin(), it->second.waiting.end());
    entries_.erase(it);
  }
  carry_out(std::move(todo), key);
}

std::size_t id_directory::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace thespis::detail
