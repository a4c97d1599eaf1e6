// Where envelopes live: per-thread slabs, with frees from other threads returned to the owner.
//
// Why our own allocator: a message costs one allocation and one free, at message rate.
//  - glibc's malloc + free were ~35 % of counting (its per-thread tcache holds 7 blocks per size;
//    beyond that every call takes the bins' slow path with its checks);
//  - a block freed on another thread than the one that allocated it goes back to glibc's arena
//    of the allocating thread under that arena's lock, contended by the allocating thread;
//  - an earlier bounded per-thread cache of freed blocks helped only where a thread frees what
//    it allocates, and an unbounded one hoarded: an outside producer's blocks piled up in the
//    consuming worker's cache while the producer allocated cold memory (fork_join 178 -> 401 ns).
// Here each thread allocates from its own 64 KiB slabs, one size per slab (bump, then a free
// list). A free on the owning thread is a push on the slab's free list; a free on another thread
// sets the block's bit in the slab's `remote_bits` (gathered per word: one atomic OR for a run of
// blocks), which the owner takes over when it runs out of space — so blocks always return to the
// thread that allocates them, and a backlog of a million messages costs no malloc call at all.
// Memory: a slab whose blocks all came back through its owner's frees is kept as a spare (up to
// 1024 per size and thread, 64 MiB: a drained backlog tends to come back, and fresh slabs cost
// page faults), beyond that returned to the system (slabs are cut from 4 MiB mappings; a
// returned one gives its pages back). Blocks freed by other threads come back as bits that only
// the owner collects, when it allocates: their slabs are reused, never given back, so a thread
// that allocates what others free (an outside producer) keeps the slabs of its largest backlog.
// A thread's heap is parked for the next thread when the thread exits, since other threads may
// still free its blocks.
#pragma once

#include <cstddef>
#include <new>

namespace thespis::detail {

/// Returns storage for an envelope of `size` bytes. Thread-safe.
void* allocate_envelope(std::size_t size);
/// Takes back storage from allocate_envelope(size), allocated on any thread (`size` as given
/// then). Thread-safe.
void free_envelope(void* p, std::size_t size) noexcept;

/// Base for the runtime's objects that come and go at message rate — envelopes, actor
/// factories, actor instances built on their own: their operator new and delete use these slabs
/// (and an object freed on another thread goes back to its owner's). Actor cells, with their
/// actor inside, and handler tables call the functions above directly. `delete` must see the
/// most derived type, so that it passes that type's size: a hierarchy has a virtual destructor,
/// or (envelopes) destroy_envelope(). Over-aligned types use the global heap.
struct small_object {
  static void* operator new(std::size_t size) { return allocate_envelope(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_envelope(p, size); }
  static void* operator new(std::size_t size, std::align_val_t a) {
    return ::operator new(size, a);
  }
  static void operator delete(void* p, std::size_t size, std::align_val_t a) noexcept {
    (void)size;
    ::operator delete(p, a);
  }
};

/// A standard allocator over the same slabs, for the runtime's small containers that are made
/// per actor and are usually tiny: a vector of one 16-byte element takes a 16-byte block here,
/// a 32-byte chunk from glibc's malloc. Larger than the slabs' largest block: the global heap.
template <class T>
struct slab_allocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "the slabs' blocks align to 16");
  using value_type = T;
  slab_allocator() noexcept = default;
  template <class U>
  slab_allocator(const slab_allocator<U>&) noexcept {}  // NOLINT: rebinding converts implicitly
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_envelope(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_envelope(p, n * sizeof(T)); }
  friend bool operator==(const slab_allocator&, const slab_allocator&) noexcept { return true; }
};

}  // namespace thespis::detail
