// The live actor cells of one system: what shutdown asks to exit, what status lists.
//
// Why sharded: every actor is added when created and removed when it exits, often on different
// threads (a parent's worker, the child's worker, an outside creator). One mutex and a hash map
// made creation and exit meet on one lock (futex waits were a quarter of skynet at 2 workers)
// and cost a map node per actor. Here a cell's shard follows from its number, each shard has
// its own lock.
// Why slots and not a list through the cells: a doubly linked list costs every cell two words,
// and adding or removing a cell writes its neighbours' links — cells that other threads (their
// owners, the exiting actor's worker) last wrote, a cache miss each on the creating thread in
// fork_join_creation. A shard's slot vector costs a word per live cell, outside the cell, and the
// cell keeps only its slot's 4-byte number; adding and removing touch the shard and the slot.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/detail/address_target.hpp"
#include "core/detail/ref_counted.hpp"
#include "scheduler/cpu_pause.hpp"

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

  /// Starts fetching the shard that the cell numbered `id` will be added to, for writing: the
  /// line is usually another core's (the thread that last removed a cell there), and the
  /// caller has a cell to build meanwhile. A hint; changes nothing.
  void prepare_for(const address_id& id) noexcept { __builtin_prefetch(&shard_for(id), 1); }
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
      std::lock_guard held(s.lock);
      for (actor_cell* c : s.slots)
        if (c != nullptr) f(*c);
    }
  }

  /// What a cell's slot number is while it is not here.
  static constexpr std::uint32_t no_slot = UINT32_MAX;

 private:
  // Why not std::mutex: the critical sections are a few instructions (take a slot, fill it),
  // and pthread's lock and unlock were 12 % of fork_join_creation's samples around them. This
  // is one exchange to lock and one store to unlock; a waiter spins briefly, then yields (a
  // holder may have been preempted, or be walking the shard for shutdown or status).
  class shard_lock {
   public:
    void lock() noexcept {
      // acquire: pairs with unlock()'s release, so the previous holder's writes are seen.
      while (locked_.exchange(true, std::memory_order_acquire)) {
        for (unsigned spins = 0; locked_.load(std::memory_order_relaxed); ++spins) {
          if (spins < 64) {
            cpu_pause();
          } else {
            std::this_thread::yield();
          }
        }
      }
    }
    // release: publishes the holder's writes to the next one (see lock()).
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

   private:
    std::atomic<bool> locked_{false};
  };
  struct alignas(64) shard {  // a cache line each: shards are locked by different threads
    mutable shard_lock lock;
    // guarded by lock
    std::vector<actor_cell*> slots;  // null: free
    // The free slots' numbers, a stack. Not a list through the free slots themselves: taking
    // one would read a slot that the thread which freed it last wrote (skynet at 2 workers:
    // that one load was four fifths of adding a cell).
    std::vector<std::uint32_t> free;
    std::uint32_t count = 0;
  };
  static constexpr std::size_t shard_count = 64;
  // An emptied shard keeps up to this many slots (32 KiB) for the next actors.
  static constexpr std::size_t empty_shard_keeps = 4096;

  // A cell's shard follows from its number, known before the cell is built (prepare_for).
  shard& shard_for(const address_id& id) noexcept { return shards_[id.local % shard_count]; }
  shard& shard_of(const actor_cell& cell) noexcept;
  static void release_all(shard& s) noexcept;

  std::array<shard, shard_count> shards_;
};

}  // namespace thespis::detail
