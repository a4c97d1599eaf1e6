// The live actor cells of one system: what shutdown asks to exit, what status lists.
//
// Why sharded, with the links in the cells: every actor is added when created and removed when
// it exits, often on different threads (a parent's worker, the child's worker, an outside
// creator). One mutex and a hash map made creation and exit meet on one lock (futex waits were
// a quarter of skynet at 2 workers) and cost a map node per actor. Here a cell's shard follows
// from its number, each shard has its own lock, and the list links live in the cell.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>

#include "core/detail/ref_counted.hpp"

namespace thespis::detail {

class actor_cell;

/// Holds one reference to every live cell. Thread-safe.
class live_registry {
 public:
  live_registry() = default;
  live_registry(const live_registry&) = delete;
  live_registry& operator=(const live_registry&) = delete;
  /// Releases the references still held.
  ~live_registry();

  /// Adds a cell and takes over the caller's reference.
  void add(intrusive_ptr<actor_cell> cell) noexcept;
  /// Removes a cell; returns the registry's reference to it, or null if it was not here.
  intrusive_ptr<actor_cell> remove(actor_cell& cell) noexcept;
  /// Returns the number of live cells: a snapshot, exact only while nothing is created or exits.
  std::size_t size() const noexcept;
  /// Calls f(actor_cell&) for every live cell, one shard at a time under its lock: f must not
  /// create or end actors.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& s : shards_) {
      std::lock_guard lock(s.mutex);
      for (actor_cell* c = s.head; c != nullptr; c = next_of(*c))
        f(*c);
    }
  }

 private:
  struct alignas(64) shard {  // a cache line each: shards are locked by different threads
    mutable std::mutex mutex;
    actor_cell* head = nullptr;  // guarded by mutex
    std::size_t count = 0;       // guarded by mutex
  };
  static constexpr std::size_t shard_count = 64;

  shard& shard_of(const actor_cell& cell) noexcept;
  static actor_cell* next_of(const actor_cell& cell) noexcept;

  std::array<shard, shard_count> shards_;
};

}  // namespace thespis::detail
