#include "core/detail/envelope_allocator.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <new>
#include <utility>

#include <sys/mman.h>

// AddressSanitizer's leak checker: GCC says so with a macro, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define THESPIS_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define THESPIS_LEAK_CHECKED 1
#endif
#endif
#ifdef THESPIS_LEAK_CHECKED
#include <sanitizer/lsan_interface.h>
#endif

namespace thespis::detail {

namespace {

constexpr std::size_t slab_bytes = 64 * 1024;  // also the alignment: a block finds its slab
constexpr std::size_t granule = 16;            // block sizes 16, 32, ... 256: 16-byte aligned
constexpr std::size_t classes = 16;
constexpr std::size_t largest = classes * granule;  // larger envelopes use operator new
// Empty slabs a heap keeps per size before it returns them to the system: a thread that has
// just drained a backlog is likely to build one again, and a fresh slab costs page faults
// (returning every empty slab made counting 68 -> 90 ns/msg). 1024 slabs: up to 64 MiB.
constexpr std::uint32_t spare_limit = 1024;

struct free_block {
  free_block* next;
};

struct heap;

constexpr std::size_t slab_granules = slab_bytes / granule;
constexpr std::size_t bitmap_words = slab_granules / 64;

// A slab: a 64 KiB block of memory cut into blocks of one size, owned by one heap.
//
// Blocks freed by other threads come back as bits, one per granule (a block is marked at its
// first), not as a list linked through the blocks. Why: with a list the owner's allocation read
// each block's link, one cache miss after another on lines the freeing core had just written
// (82 % of take() and a quarter of the sending thread in fork_join_throughput). With bits the
// owner knows where the next blocks are without touching them, so it can fetch them ahead.
// `remote_words` says which words of `remote_bits` may hold bits: a freer sets a word's bit
// there when it finds the word empty, so the owner reads only the words that have any.
struct slab {
  slab(heap* owner, std::size_t block_size, char* begin) noexcept
      : owner(owner), block_size(static_cast<std::uint32_t>(block_size)), bump(begin) {}

  // Read by every freeing thread, so alone on their line: the owner's writes below, at every
  // allocation, made each remote free a cache miss (a third of free_envelope in
  // fork_join_throughput).
  heap* const owner;  // set before any block is handed out
  const std::uint32_t block_size;
  // owner only:
  alignas(64) slab* prev = nullptr;  // the owner's slabs of this size
  slab* next = nullptr;
  free_block* free = nullptr;  // blocks back from the owner's own frees
  char* bump;                  // never-used space from here to the end of the slab
  std::uint32_t used = 0;      // blocks out: allocated and not yet back in `free` or `collected`
  bool spare = false;          // empty, and counted in its heap's spares
  std::uint32_t collected_word = 0;    // the remote_bits word `collected` came from
  std::uint64_t collected = 0;         // remotely freed blocks taken back, not handed out yet
  std::uint64_t words_to_collect = 0;  // from remote_words: words to take next, in order
  // shared: written by freeing threads, taken by the owner with an exchange
  alignas(64) std::atomic<std::uint64_t> remote_words{0};
  std::atomic<std::uint64_t> remote_bits[bitmap_words] = {};
};
constexpr std::size_t header_bytes = (sizeof(slab) + granule - 1) / granule * granule;

// A thread's slabs, one list per size. A heap outlives its thread: other threads may still
// free its blocks, so when the thread ends the heap is parked in a pool for the next thread.
struct heap {
  // The blocks this thread freed last, whatever their slab, reused first (LIFO): they are still
  // in cache. Their slabs count them as used. A slab's own free list alone would hand out its
  // cold blocks while a hot one waited in another slab (thread_ring 48 -> 63 ns/hop).
  free_block* recent[classes] = {};
  std::uint32_t recent_count[classes] = {};
  slab* slabs[classes] = {};           // the first one is where allocation looks first
  slab* tails[classes] = {};           // the last one: where a slab with nothing to give goes
  std::uint32_t spares[classes] = {};  // empty slabs kept in each list
  heap* next_parked = nullptr;
};
constexpr std::uint32_t recent_limit = 64;

constinit std::mutex parked_mutex;
constinit heap* parked = nullptr;  // guarded by parked_mutex

constinit thread_local heap* this_thread_heap = nullptr;
constinit thread_local bool heap_parked = false;  // this thread is exiting: its heap is parked

void return_to_slab(heap& h, free_block* b) noexcept;

// Takes a parked heap, or a new one.
heap* unpark() {
  {
    std::lock_guard lock(parked_mutex);
    if (parked != nullptr) return std::exchange(parked, parked->next_parked);
  }
  return new heap;
}

// Parks a heap for the next thread; its recent blocks go back to their slabs first.
void park(heap* h) noexcept {
  for (auto& recent : h->recent) {
    while (recent != nullptr)
      return_to_slab(*h, std::exchange(recent, recent->next));
  }
  std::fill(std::begin(h->recent_count), std::end(h->recent_count), 0);
  std::lock_guard lock(parked_mutex);
  h->next_parked = parked;
  parked = h;
}

// Parks the thread's heap when the thread exits.
struct park_at_exit {
  ~park_at_exit() {
    heap_parked = true;
    if (heap* h = std::exchange(this_thread_heap, nullptr)) park(h);
  }
};
thread_local park_at_exit parking;

heap& my_heap() {
  if (this_thread_heap != nullptr) return *this_thread_heap;
  (void)&parking;  // the first use of a thread_local registers its destructor
  this_thread_heap = unpark();
  return *this_thread_heap;
}

// Size classes: class c holds blocks of (c + 1) * granule bytes.
std::size_t class_of_size(std::size_t size) noexcept {
  return size == 0 ? 0 : (size - 1) / granule;
}
std::size_t class_of(const slab& s) noexcept {
  return s.block_size / granule - 1;
}

// True if the slab's never-used space holds another block.
bool has_room(const slab& s) noexcept {
  return s.bump + s.block_size <= reinterpret_cast<const char*>(&s) + slab_bytes;
}

slab* slab_of(void* p) noexcept {
  return reinterpret_cast<slab*>(reinterpret_cast<std::uintptr_t>(p) & ~(slab_bytes - 1));
}

char* block_at(slab& s, std::uint32_t word, unsigned bit) noexcept {
  return reinterpret_cast<char*>(&s) + (std::size_t{word} * 64 + bit) * granule;
}

// Refills `collected` from the blocks other threads freed into the slab; false if there are
// none. Each block was counted in `used` while it was out; it is not once it is collected.
bool collect_remote(slab& s) noexcept {
  while (s.collected == 0) {
    if (s.words_to_collect == 0) {
      if (s.remote_words.load(std::memory_order_relaxed) == 0) return false;
      // acquire: pairs with the freer's release when it set the word's flag after its bit, so
      // the exchange of the word below comes after that bit in the word's order and takes it.
      s.words_to_collect = s.remote_words.exchange(0, std::memory_order_acquire);
    }
    const auto word = static_cast<std::uint32_t>(std::countr_zero(s.words_to_collect));
    s.words_to_collect &= s.words_to_collect - 1;
    // acquire: pairs with each freer's release, so its last use of the block comes before the
    // owner's next.
    s.collected = s.remote_bits[word].exchange(0, std::memory_order_acquire);
    s.collected_word = word;
    s.used -= static_cast<std::uint32_t>(std::popcount(s.collected));
  }
  return true;
}

// Hands out the next collected block, and fetches the one after it (the freeing core holds
// its line) while the caller fills this one.
void* take_collected(slab& s) noexcept {
  const auto bit = static_cast<unsigned>(std::countr_zero(s.collected));
  s.collected &= s.collected - 1;
  if (s.collected != 0)
    __builtin_prefetch(block_at(s, s.collected_word, std::countr_zero(s.collected)), 1);
  ++s.used;
  return block_at(s, s.collected_word, bit);
}

void* take(heap& h, std::size_t c, slab& s) noexcept {
  if (s.spare) {
    s.spare = false;
    --h.spares[c];
  }
  if (free_block* b = s.free) {
    s.free = b->next;
    // The next block may have left the cache since this thread freed it: fetch it while the
    // caller uses b.
    if (s.free != nullptr) __builtin_prefetch(s.free, 1);
    ++s.used;
    return b;
  }
  if (has_room(s)) {
    void* p = s.bump;
    s.bump += s.block_size;
    ++s.used;
    return p;
  }
  if (collect_remote(s)) return take_collected(s);
  return nullptr;
}

void unlink(heap& h, std::size_t c, slab& s) noexcept {
  (s.prev ? s.prev->next : h.slabs[c]) = s.next;
  (s.next ? s.next->prev : h.tails[c]) = s.prev;
  s.prev = s.next = nullptr;
}

void push_front(heap& h, std::size_t c, slab& s) noexcept {
  s.next = h.slabs[c];
  (s.next ? s.next->prev : h.tails[c]) = &s;
  h.slabs[c] = &s;
}

// Where slabs come from: 4 MiB regions mapped from the system, cut into slabs. Not
// aligned_alloc: glibc finds each 64 KiB-aligned block by cutting a bigger one, and the pieces
// around it are touched and mostly left unused — 12 % more resident memory per idle actor
// (270 instead of 240 bytes) when cells moved into the slabs. A slab given back keeps its
// address range here; its pages go back to the system at once (MADV_DONTNEED).
class slab_memory {
 public:
  void* take() {
    std::lock_guard lock(mutex_);
    if (returned_ != nullptr) return std::exchange(returned_, returned_->next);
    if (next_ == end_) map_region();
    return std::exchange(next_, next_ + slab_bytes);
  }

  void give_back(void* memory) noexcept {
    (void)::madvise(memory, slab_bytes, MADV_DONTNEED);  // a failure keeps the pages: harmless
    std::lock_guard lock(mutex_);
    returned_ = ::new (memory) free_block{returned_};
  }

 private:
  static constexpr std::size_t region_bytes = 64 * slab_bytes;

  // Maps a region one slab larger than needed and unmaps the ends, so that it starts on a slab
  // boundary. Called under mutex_.
  void map_region() {
    const std::size_t mapped = region_bytes + slab_bytes;
    void* raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (begin + slab_bytes - 1) & ~(slab_bytes - 1);
    if (aligned > begin) ::munmap(raw, aligned - begin);
    const std::uintptr_t tail = begin + mapped - (aligned + region_bytes);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + region_bytes), tail);
    next_ = reinterpret_cast<char*>(aligned);
    end_ = next_ + region_bytes;
#ifdef THESPIS_LEAK_CHECKED
    // The leak checker scans the heap and the globals, not our mappings: blocks here may hold
    // the only pointer to a heap object (a message's string).
    __lsan_register_root_region(next_, region_bytes);
#endif
  }

  std::mutex mutex_;
  free_block* returned_ = nullptr;  // slabs given back, reused first
  char* next_ = nullptr;            // the current region's unused slabs
  char* end_ = nullptr;
};

// Never destroyed: threads may free blocks while the process exits.
slab_memory& slabs_from_system() {
  static slab_memory* const memory = new slab_memory;
  return *memory;
}

slab& new_slab(heap& h, std::size_t c) {
  void* memory = slabs_from_system().take();
  auto* s = new (memory) slab(&h, (c + 1) * granule, static_cast<char*>(memory) + header_bytes);
  push_front(h, c, *s);
  return *s;
}

// A slab became empty through its owner's frees: keep it as a spare, next in line for
// allocation, or return it to the system once the heap has enough spares.
void on_empty(heap& h, std::size_t c, slab& s) noexcept {
  if (h.slabs[c] == &s) return;  // already first in line
  unlink(h, c, s);
  if (h.spares[c] == spare_limit) {
    s.~slab();
    slabs_from_system().give_back(&s);
    return;
  }
  s.spare = true;
  ++h.spares[c];
  slab& first = *h.slabs[c];  // not null: s was not first
  s.prev = &first;
  s.next = first.next;
  (s.next ? s.next->prev : h.tails[c]) = &s;
  first.next = &s;
}

void move_to_back(heap& h, std::size_t c, slab& s) noexcept {
  if (h.tails[c] == &s) return;
  unlink(h, c, s);
  s.prev = h.tails[c];  // not null: s was not the only slab
  s.prev->next = &s;
  h.tails[c] = &s;
}

// The first slab serves until it has nothing left; then the others are tried in turn (each
// collecting what other threads freed into it), and each one found with nothing to give goes to
// the back. So the next search starts where this one ended. Why: a thread that sends to other
// threads owns many full slabs whose blocks trickle back; searching from the front each time
// walked all of them, again and again (40 % of fork_join_throughput's time was this search).
void* allocate_from(heap& h, std::size_t c) {
  if (slab* first = h.slabs[c]; first != nullptr) {
    if (void* p = take(h, c, *first)) return p;
    move_to_back(h, c, *first);
    for (slab* s = h.slabs[c]; s != first; s = h.slabs[c]) {  // once around the list
      if (void* p = take(h, c, *s)) return p;  // s is first now: it serves the next ones
      move_to_back(h, c, *s);
    }
  }
  return take(h, c, new_slab(h, c));
}

// Gives a block of this heap back to its slab.
void return_to_slab(heap& h, free_block* b) noexcept {
  slab& s = *slab_of(b);
  if (--s.used == 0) {
    // Every block is back (none is out, in a recent list, or freed elsewhere and not yet
    // collected: those count as used). Forget the free list and hand the blocks out again in
    // address order, from the bump pointer. Why: the list is in the order they were freed,
    // which after a backlog handled out of order (wakeups, by deadline) or in reverse is no
    // order in memory, and each allocation's read of a block's link was a cache miss (nine
    // tenths of take() in the timers workload); bumping reads nothing and walks memory forward.
    s.free = nullptr;
    s.collected = 0;
    s.bump = reinterpret_cast<char*>(&s) + header_bytes;
    on_empty(h, class_of(s), s);
    return;
  }
  b->next = s.free;
  s.free = b;
}

// Another thread's blocks go back to their slab as bits (see slab). A thread gathers the bits of
// the blocks it frees into one word of one slab per size, and sets them with one atomic OR
// when it frees a block elsewhere: blocks are mostly freed in the order they were handed out,
// a word's worth at a time. Why: one OR per block was one contended atomic per message, and
// the owner, finding a block or two in a word, came back for the next one at once. A thread
// holds back at most one word per size (64 blocks), until it frees elsewhere or exits; the
// slab stays meanwhile, as these blocks still count as used.
struct remote_batch {
  slab* s = nullptr;
  std::uint32_t word = 0;
  std::uint64_t bits = 0;
};
constinit thread_local remote_batch remote_batches[classes] = {};
constinit thread_local bool remote_batches_registered = false;
constinit thread_local bool remote_batches_flushed = false;  // the thread is exiting

// Sets a batch's bits in its slab. The slab stays until the owner has collected them, which it
// can do only after the last of the two writes below (see collect_remote).
void flush(remote_batch& b) noexcept {
  if (b.bits == 0) return;
  slab& s = *b.s;
  // release: the end of this thread's use of the blocks comes before the owner's next.
  const std::uint64_t before = s.remote_bits[b.word].fetch_or(b.bits, std::memory_order_release);
  // The word was empty: flag it for the owner. If it was not, a flag for it is set or coming
  // (from the freer that found it empty), or the owner is about to take it. release: see
  // collect_remote.
  if (before == 0) s.remote_words.fetch_or(std::uint64_t{1} << b.word, std::memory_order_release);
  b = {};
}

struct flush_at_exit {
  ~flush_at_exit() {
    remote_batches_flushed = true;
    for (auto& b : remote_batches)
      flush(b);
  }
};
thread_local flush_at_exit flushing;

void free_remote(slab& s, void* p) noexcept {
  const auto granule_index =
      static_cast<std::size_t>(static_cast<char*>(p) - reinterpret_cast<char*>(&s)) / granule;
  const auto word = static_cast<std::uint32_t>(granule_index / 64);
  const std::uint64_t bit = std::uint64_t{1} << (granule_index % 64);
  remote_batch& b = remote_batches[class_of(s)];
  if (b.s == &s && b.word == word) {
    b.bits |= bit;
    return;
  }
  flush(b);
  b = {&s, word, bit};
  if (remote_batches_flushed) {
    flush(b);  // a thread_local's destructor frees after this thread's batches were flushed
  } else if (!remote_batches_registered) {
    remote_batches_registered = true;
    (void)&flushing;  // the first use of a thread_local registers its destructor
  }
}

}  // namespace

void* allocate_envelope(std::size_t size) {
  if (size > largest) return ::operator new(size);
  const std::size_t c = class_of_size(size);
  // The common case, inline: a block this thread freed a moment ago.
  if (heap* h = this_thread_heap; h != nullptr && h->recent[c] != nullptr) {
    free_block* b = h->recent[c];
    h->recent[c] = b->next;
    --h->recent_count[c];
    return b;
  }
  if (heap_parked) {
    // Another thread_local's destructor allocates after this thread parked its heap: borrow one
    // for this block (a heap must not stay with a thread that is going away).
    heap* h = unpark();
    void* p = allocate_from(*h, c);
    park(h);
    return p;
  }
  return allocate_from(my_heap(), c);
}

void free_envelope(void* p, std::size_t size) noexcept {
  if (size > largest) {
    ::operator delete(p);
    return;
  }
  slab& s = *slab_of(p);
  auto* b = static_cast<free_block*>(p);
  heap* h = this_thread_heap;
  if (s.owner == h) {
    const std::size_t c = class_of(s);
    if (h->recent_count[c] < recent_limit) {
      b->next = h->recent[c];
      h->recent[c] = b;
      ++h->recent_count[c];
    } else {
      return_to_slab(*h, b);
    }
    return;
  }
  free_remote(s, p);
}

}  // namespace thespis::detail
