// Routing by (class, id): the live actor of each id, the mail waiting for an id's next actor,
// each class's director, and the state retired actors kept. Part of the runtime.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "core/address.hpp"
#include "core/detail/envelope.hpp"
#include "core/detail/ref_counted.hpp"
#include "core/system_messages.hpp"

namespace thespis::detail {

class actor_cell;
class runtime;

/// An actor class and an id: what by_id<T>(id) names.
struct id_key {
  const std::type_info* type;
  std::string id;
  // The id first: it usually differs, and comparing type_info may compare names.
  friend bool operator==(const id_key& a, const id_key& b) {
    return a.id == b.id && (a.type == b.type || *a.type == *b.type);
  }
};

struct id_key_hash {
  std::size_t operator()(const id_key& k) const noexcept {
    return k.type->hash_code() ^ (std::hash<std::string>()(k.id) << 1);
  }
};

/// Thread-safe. Owned by the runtime through a shared_ptr so that a spawn_request outliving the
/// runtime (kept by a director to the end) can tell it is gone.
///
/// Ordering: for each id, mail is delivered in the order it was posted (per sender, and in
/// total for posts that do not race). While no actor has the id, mail waits in `waiting`; the
/// actor created for it receives the waiting mail before anything posted later (the hand-over
/// happens under the lock, before the id counts as live). When an id's actor exits, mail still
/// in its mailbox or arriving after it closed comes back here (retired / returned) and goes
/// ahead of what waited meanwhile, so a retire racing with new messages loses and reorders
/// nothing.
class id_directory {
 public:
  explicit id_directory(runtime& rt) : runtime_(rt) {}
  ~id_directory();

  /// Routes env (sender set) to the live actor of `key`, or makes it wait and asks the class's
  /// director to create one, or — with no director — dead-letters it. Returns the live actor
  /// it went to, if any: the sender's back-pressure looks at it.
  intrusive_ptr<actor_cell> post(const id_key& key, envelope* env);

  /// Binds a new cell to `key` (a director answering `request`, or an explicit creation when
  /// request is null) via `make_cell`, and hands it the waiting mail. Returns the live actor of
  /// the key instead if there is one. Returns a null address, creating nothing, for a stale
  /// request: one that is not the key's pending request (an explicit creation took the mail it
  /// was for, or it was answered already).
  address bind(const id_key& key, spawn_request* request,
               const std::function<intrusive_ptr<actor_cell>()>& make_cell);

  /// The id's actor began to exit: from now on its mail waits for the next one.
  void retiring(const id_key& key, const actor_cell& cell);
  /// The id's actor is gone; `unread` is the mail routed to it by id that it never handled, in
  /// order. If mail waits, the director is asked for a new actor.
  /// `respawn` is false when the actor's construction failed: then `unread`, the mail it held
  /// when it failed, becomes dead letters, so that a constructor that always throws cannot
  /// make the director build it again and again for the same mail. Mail that reached it after
  /// its mailbox closed is treated like mail that comes after this call, whichever side of
  /// the call it lands: it asks the director for a new actor.
  void retired(const id_key& key, const actor_cell& cell, std::vector<envelope*> unread,
               bool respawn) noexcept;
  /// Mail routed by id that reached the exiting actor after its mailbox closed.
  void returned(const id_key& key, const actor_cell& cell, envelope* env);

  /// Registers (start) or removes the director of `type`.
  void direct(const std::type_info& type, const address& director, bool start);
  /// Removes every directorship of an actor that exited.
  void forget_director(const address& director);
  /// Notes a director appointed by outside code (actor_system::set_director): the actor did not
  /// ask, so its cell has no mark to forget the directorship by when it exits.
  void note_appointed_from_outside(const address& director) noexcept {
    appointed_from_outside_.fetch_or(bloom_bit(director), std::memory_order_relaxed);
  }
  /// False if `director` was never appointed by outside code; true if it may have been (then
  /// its exit calls forget_director). One relaxed load per exit, no lock.
  bool may_be_appointed_from_outside(const address& director) const noexcept {
    return (appointed_from_outside_.load(std::memory_order_relaxed) & bloom_bit(director)) != 0;
  }

  /// Keeps a retiring actor's state for its next incarnation / takes it (once).
  void keep_state(const id_key& key, std::string state);
  std::optional<std::string> take_state(const id_key& key);

  /// Called by a spawn_request's ticket when the request is dropped without a creation.
  void decline(const id_key& key, std::uint64_t generation) noexcept;

  /// After shutdown: gives up every id's mail still waiting here (for a spawn_request that
  /// outlived the system, or for an id whose actor never exited) as counted dead letters.
  void discard_all_mail() noexcept;

  /// Number of ids with a live actor or waiting mail, for status.
  std::size_t size() const;

 private:
  struct entry {
    intrusive_ptr<actor_cell> cell;   // the live actor; null while mail waits for one
    bool retiring = false;            // the live actor is exiting: new mail waits
    std::vector<envelope*> returned;  // reached the exiting actor after it closed
    std::deque<envelope*> waiting;    // for the next actor, in order
    std::uint64_t generation = 0;     // the spawn_request that may fill it
    bool requested = false;           // a spawn_request is out
  };
  using entries = std::unordered_map<id_key, entry, id_key_hash>;

  // What to do once the lock is released: delivering may run a handler (simple base) or
  // dead-letter a spawn_request, whose ticket then comes back into this directory. Filling it
  // allocates nothing, so that giving mail up cannot fail.
  struct after_unlock {
    std::vector<envelope*> drop;  // to dead-letter first
    entries::node_type dropped;   // an entry given up: its returned, then waiting mail too
    envelope* request = nullptr;  // a spawn_request for `director`
    address director;
  };
  void request_or_drop(entries::iterator it, after_unlock& todo) noexcept;
  static bool requeue(entry& e, std::vector<envelope*>& unread) noexcept;
  void carry_out(after_unlock todo, const id_key& key) noexcept;

  static std::uint64_t bloom_bit(const address& a) noexcept {
    return std::uint64_t{1} << (address_access::id(a).local % 64);
  }

  runtime& runtime_;
  // One bit per actor number modulo 64, set for each director outside code appointed; never
  // cleared (a stale bit costs an exit a lock and a look). Relaxed: an appointment races the
  // director's exit only when outside code appoints an actor that is exiting, and such an
  // appointment may stay until the system ends, as a gone director's does on any other race.
  // On a line of its own: every exit reads it, and by-id traffic writes the lock below.
  alignas(64) std::atomic<std::uint64_t> appointed_from_outside_{0};
  alignas(64) mutable std::mutex mutex_;
  entries entries_;
  std::unordered_map<std::type_index, address> directors_;
  std::unordered_map<id_key, std::string, id_key_hash> kept_;
  std::uint64_t generations_ = 0;
  std::weak_ptr<id_directory> self_;  // for tickets; set by the runtime

  friend class runtime;
};

}  // namespace thespis::detail
