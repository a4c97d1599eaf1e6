#include "core/detail/envelope_allocator.hpp"

#include <cstdint>
#include <new>
#include <utility>

namespace thespis::detail {

namespace {

// Size classes follow glibc's: a block of 24 + 16k usable bytes fills a 16(k + 2)-byte chunk
// exactly (rounding to 16-byte sizes instead made a 40-byte envelope take a 64-byte chunk, and
// a backlog of them a third more cache lines).
constexpr std::size_t smallest = 24;
constexpr std::size_t granule = 16;
constexpr std::size_t classes = 16;         // up to 264 bytes; larger envelopes skip the cache
constexpr std::uint32_t cache_limit = 256;  // blocks kept per size class and thread

struct free_block {
  free_block* next;
};

// Trivially destructible, so a free during thread teardown (after drain_at_exit ran) still
// finds valid storage; `closed` then sends it straight to the global allocator.
struct thread_cache {
  free_block* blocks[classes];
  std::uint32_t count[classes];
  bool drain_registered;
  bool closed;
};
constinit thread_local thread_cache cache{};

// Returns the cached blocks to the global allocator when the thread exits.
struct drain_at_exit {
  ~drain_at_exit() {
    cache.closed = true;
    for (auto*& b : cache.blocks) {
      while (b != nullptr)
        ::operator delete(std::exchange(b, b->next));
    }
  }
};
thread_local drain_at_exit drain;

std::size_t size_class(std::size_t size) noexcept {
  return size <= smallest ? 0 : (size - smallest + granule - 1) / granule;
}

std::size_t class_size(std::size_t c) noexcept {
  return smallest + c * granule;
}

}  // namespace

void* allocate_envelope(std::size_t size) {
  const std::size_t c = size_class(size);
  if (c >= classes) return ::operator new(size);
  if (free_block* b = cache.blocks[c]) {
    cache.blocks[c] = b->next;
    --cache.count[c];
    return b;
  }
  return ::operator new(class_size(c));
}

void free_envelope(void* p, std::size_t size) noexcept {
  const std::size_t c = size_class(size);
  if (c >= classes || cache.closed || cache.count[c] == cache_limit) {
    ::operator delete(p);
    return;
  }
  if (!cache.drain_registered) {
    cache.drain_registered = true;
    (void)&drain;  // the first use of a thread_local registers its destructor
  }
  auto* b = static_cast<free_block*>(p);
  b->next = cache.blocks[c];
  cache.blocks[c] = b;
  ++cache.count[c];
}

}  // namespace thespis::detail
