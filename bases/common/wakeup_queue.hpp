// One actor's own wakeups (wakeup_after): armed, due in deadline order, cancelled, handled — all
// by the actor's activation, with no lock and no other thread.
//
// Why an actor keeps its wakeups itself instead of giving each to the timer service: the service
// is one thread behind one lock. Arming 100,000 wakeups due within 10 ms met the firing thread on
// that lock for nearly every wakeup, and each fired wakeup took a cell reference (an atomic on a
// line both threads write) and a callback slot there (the timers workload: 350-500 ns per
// wakeup, most of it arming). Now the service holds one timer per actor, at its earliest wakeup;
// when it fires, the actor takes every wakeup due by then, in one go (actor_cell::wakeup_after).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "core/detail/envelope.hpp"
#include "core/detail/envelope_allocator.hpp"
#include "core/system_messages.hpp"
#include "scheduler/radix_heap.hpp"
#include "scheduler/slot_map.hpp"

namespace thespis::detail {

/// The actor's pending wakeups. A wakeup's envelope waits in a radix heap by deadline; take_due()
/// hands it over, and the wakeup stays pending, its envelope in the actor's batch, until it
/// arrives (arrived()): cancel() may still catch it there. A key (the wakeup's handle) is never
/// issued twice, not even across clear(). Not thread-safe: the owning actor's.
///
/// Cancelling marks the envelope (its handle becomes 0, which no wakeup has) and drops its
/// payload at once; a waiting envelope stays in the heap as a tombstone until its deadline or
/// until tombstones outnumber the pending wakeups (then one O(n) sweep removes them all).
class wakeup_queue {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  wakeup_queue() = default;
  wakeup_queue(const wakeup_queue&) = delete;
  wakeup_queue& operator=(const wakeup_queue&) = delete;
  ~wakeup_queue() { clear(); }

  /// Adds a wakeup due at `deadline`: `make(key)` builds its envelope (an
  /// envelope_of<wakeup_message> whose handle is the key). Returns the key. May throw
  /// (std::bad_alloc, or what make throws); then nothing changed.
  template <class MakeEnvelope>
  std::uint64_t push(time_point deadline, MakeEnvelope&& make) {
    const std::uint64_t key = slots_.insert(nullptr);
    try {
      envelope* const wakeup = make(key);
      try {
        heap_.push(ticks(deadline), wakeup);
      } catch (...) {
        destroy_envelope(wakeup);
        throw;
      }
      *slots_.find(key) = wakeup;
    } catch (...) {
      slots_.erase(key);
      throw;
    }
    return key;
  }

  /// The due wakeups' envelopes, linked by `next` in firing order (last->next is unspecified).
  struct due_list {
    envelope* first = nullptr;
    envelope* last = nullptr;
    std::size_t count = 0;
  };

  /// Takes the envelopes of every wakeup due at or before `now`, earliest first (ties in the
  /// order armed). Their wakeups stay pending until arrived().
  ///
  /// Why the window: the heap yields the envelopes in deadline order, which is not the order
  /// they were made in, so each is a cache miss — and looking at one as it came (is it a
  /// tombstone? link it) stalled the take on every one (the load of the handle was three fifths
  /// of the take in the timers workload). Each envelope is fetched as the heap yields it and
  /// looked at `window` envelopes later, so several misses are on their way at once.
  due_list take_due(time_point now) noexcept {
    due_list due;
    const auto settle = [&](envelope* wakeup) {
      wakeup_message& w = message_of(wakeup);
      if (w.handle.id == 0) {  // cancelled while waiting
        destroy_envelope(wakeup);
        --tombstones_;
        return;
      }
      // The actor handles these next: start their other lines on their way now, while the
      // take goes on.
      prefetch_arrival(w);
      (due.first ? due.last->next : due.first) = wakeup;
      due.last = wakeup;
      ++due.count;
    };
    constexpr std::size_t window = 8;
    envelope* yielded[window];
    std::size_t count = 0;
    heap_.pop_until(ticks(now), [&](envelope* wakeup) {
      __builtin_prefetch(wakeup, 1);
      envelope*& place = yielded[count++ % window];
      if (count > window) settle(place);  // the one yielded `window` before this one
      place = wakeup;
    });
    for (std::size_t i = count > window ? count - window : 0; i < count; ++i)
      settle(yielded[i % window]);
    return due;
  }

  /// The actor is handling a wakeup, and `next` comes after it in its batch: starts fetching
  /// what handling `next` will read if it is a wakeup (its slot, its payload), and the envelope
  /// after it. Why: take_due() fetched those lines for every wakeup it took, but after a backlog
  /// (100,000 wakeups due at once) the first ones have left the cache long before the actor
  /// reaches them. A hint; changes nothing.
  void look_ahead(const envelope* next) const noexcept {
    if (next == nullptr) return;
    __builtin_prefetch(next->next);
    if (!holds<wakeup_message>(*next)) return;
    prefetch_arrival(static_cast<const envelope_of<wakeup_message>*>(next)->value);
  }

  /// A taken wakeup reached the actor: returns true if it is still pending (then it no longer
  /// is), false if it was cancelled meanwhile (the actor must not see it).
  bool arrived(const wakeup_message& w) noexcept { return slots_.erase(w.handle.id); }

  /// Cancels a pending wakeup, waiting or taken; returns false if it is not pending (arrived,
  /// cancelled, cleared, or never issued).
  bool cancel(std::uint64_t key) noexcept {
    envelope** const slot = slots_.find(key);
    if (slot == nullptr) return false;
    wakeup_message& w = message_of(*slot);
    w.handle = {};          // a tombstone in the heap, or dropped as it arrives if taken
    w.payload = message{};  // what it carried goes now, not at its deadline
    slots_.erase(key);
    // Counted as a tombstone even if taken (then it is not in the heap): a sweep comes early.
    if (++tombstones_ > slots_.size() && heap_.size() >= min_sweep_size) sweep();
    return true;
  }

  /// Cancels every pending wakeup; their keys are never issued again.
  void clear() noexcept {
    heap_.for_each([](envelope* wakeup) { destroy_envelope(wakeup); });
    heap_.clear();
    slots_.clear();  // the taken ones' handles no longer arrive
    tombstones_ = 0;
  }

  /// The earliest deadline in the heap, if any (maybe a tombstone's: nothing is due then).
  std::optional<time_point> next_deadline() const noexcept {
    const auto key = heap_.min_key();
    if (!key) return std::nullopt;
    return time_point{std::chrono::duration_cast<time_point::duration>(
        std::chrono::nanoseconds(static_cast<std::int64_t>(*key)))};
  }

  /// Pending wakeups: waiting, or taken and not arrived.
  std::size_t size() const noexcept { return slots_.size(); }

 private:
  // Below this many heap entries tombstones just wait for their deadlines.
  static constexpr std::size_t min_sweep_size = 1024;

  // Starts fetching what the wakeup's arrival reads: its slot (erased by arrived()) and its
  // payload (read by the actor).
  void prefetch_arrival(const wakeup_message& w) const noexcept {
    slots_.prefetch(w.handle.id);
    if (const envelope* payload = w.payload.view()) __builtin_prefetch(payload);
  }
  static wakeup_message& message_of(envelope* wakeup) noexcept {
    return static_cast<envelope_of<wakeup_message>*>(wakeup)->value;
  }
  // The heap's key: nanoseconds since the clock's epoch (a deadline before it counts as it).
  static std::uint64_t ticks(time_point t) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
    return ns.count() < 0 ? 0 : static_cast<std::uint64_t>(ns.count());
  }

  void sweep() noexcept {
    heap_.erase_if([](envelope* wakeup) {
      if (message_of(wakeup).handle.id != 0) return false;
      destroy_envelope(wakeup);
      return true;
    });
    tombstones_ = 0;
  }

  // Their vectors come from the slabs: an actor with one wakeup pending has two vectors of one
  // 16-byte element, a 32-byte malloc chunk each, a 16-byte block each here. An actor with a
  // wakeup pays for this object too: the tombstone count (32 bits, as the slot map's indexes
  // are) sits in the slot map's tail padding (72 bytes, not 80).
  // The pending wakeups' envelopes, by key:
  [[no_unique_address]] slot_map<envelope*, slab_allocator<envelope*>> slots_;
  std::uint32_t tombstones_ = 0;  // cancelled since the last sweep (an upper bound)
  // The waiting envelopes (and tombstones), by deadline:
  radix_heap<envelope*, slab_allocator<envelope*>> heap_;
};

}  // namespace thespis::detail
