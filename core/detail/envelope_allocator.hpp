// Where envelopes live: a per-thread cache of recently freed envelope blocks in front of the
// global allocator.
//
// Why: a message costs one allocation and one free, and glibc's malloc + free were ~20 % of
// ping_pong (its per-thread tcache holds only 7 blocks per size and runs its checks on every
// call). Most messages in a busy actor system are freed on the thread that allocated their
// successor (the receiver handles, frees, and sends on the same worker), so a free list per
// thread and size class serves them with a few instructions.
//
// What it must not do (an earlier magazine allocator made fork_join 178 -> 401 ns/msg): hoard.
// When one thread only allocates (an outside producer) and another only frees (a worker), the
// freeing thread's cache fills and is never drained by allocations; unbounded, it held every
// envelope ever sent, so the producer's allocations all came from fresh, cold memory. Here each
// size class keeps at most `cache_limit` blocks; beyond that, frees go back to the global
// allocator, which can hand them to the producer again — the same as without this cache.
#pragma once

#include <cstddef>

namespace thespis::detail {

/// Returns storage for an envelope of `size` bytes. Thread-safe.
void* allocate_envelope(std::size_t size);
/// Takes back storage from allocate_envelope(size), allocated on any thread. Thread-safe.
void free_envelope(void* p, std::size_t size) noexcept;

}  // namespace thespis::detail
