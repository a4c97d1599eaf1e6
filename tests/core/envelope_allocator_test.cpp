#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/detail/envelope_allocator.hpp"

using thespis::detail::allocate_envelope;
using thespis::detail::free_envelope;

TEST_CASE("a freed envelope block is reused for the next envelope of its size on that thread") {
  void* a = allocate_envelope(40);
  free_envelope(a, 40);
  void* b = allocate_envelope(33);  // same size class as 40
  CHECK(b == a);
  free_envelope(b, 33);
}

TEST_CASE("envelope blocks of every size keep their contents on a round trip between threads") {
  struct block {
    unsigned char* p;
    std::size_t size;
    unsigned char fill;
  };
  std::vector<block> blocks;
  for (std::size_t size : {1, 24, 25, 40, 100, 264, 265, 4096}) {
    for (int i = 0; i < 300; ++i) {  // more than one thread's cache holds
      auto* p = static_cast<unsigned char*>(allocate_envelope(size));
      const auto fill = static_cast<unsigned char>(i);
      std::fill(p, p + size, fill);  // ASan: the block is big enough
      blocks.push_back({p, size, fill});
    }
  }
  // Read and freed on a thread that then exits: its cache goes back to the global allocator
  // (else LeakSanitizer reports the blocks). A block handed out twice, or overlapping another,
  // shows as a wrong byte.
  int damaged = 0;
  std::thread([&] {
    for (const block& b : blocks) {
      if (std::any_of(b.p, b.p + b.size, [&](unsigned char c) { return c != b.fill; })) ++damaged;
      free_envelope(b.p, b.size);
    }
  }).join();
  CHECK(damaged == 0);
}

namespace {
std::vector<void*> allocate_many(int n, std::size_t size) {
  std::vector<void*> blocks;
  for (int i = 0; i < n; ++i)
    blocks.push_back(allocate_envelope(size));
  return blocks;
}

std::vector<void*> sorted(std::vector<void*> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// How many of `later` are blocks that `earlier` held.
std::size_t reused(const std::vector<void*>& earlier, const std::vector<void*>& later) {
  const auto e = sorted(earlier);
  return static_cast<std::size_t>(std::count_if(later.begin(), later.end(), [&](void* p) {
    return std::binary_search(e.begin(), e.end(), p);
  }));
}

}  // namespace

TEST_CASE("envelope blocks freed on another thread go back to the thread that allocated them") {
  // A consumer frees what a producer allocated, round after round: the producer must get those
  // blocks back, so its memory stays the same few blocks instead of growing or going cold.
  std::vector<void*> seen;
  for (int round = 0; round < 20; ++round) {
    const auto blocks = allocate_many(5000, 48);
    if (round > 0) CHECK(reused(seen, blocks) >= 4000);
    seen.insert(seen.end(), blocks.begin(), blocks.end());
    std::thread([&] {
      for (void* p : blocks)
        free_envelope(p, 48);
    }).join();
  }
  auto distinct = sorted(seen);
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  CHECK(distinct.size() <= 10000);
}

TEST_CASE(
    "a thread that frees another thread's blocks and lives on holds back at most 64 of them") {
  // Remote frees are gathered a word of one slab at a time (64 granules): the others must reach
  // their owner while the freeing thread is still alive and idle. The owner uses the never-used
  // rest of its slabs first, so it allocates two slabs' worth more than it freed.
  constexpr int n = 3000;
  constexpr std::size_t size = 112;  // a size no other test here uses: no spare slabs
  constexpr int slab_blocks = 64 * 1024 / size;
  const auto blocks = allocate_many(n, size);
  std::mutex mutex;
  std::condition_variable changed;
  bool freed = false;
  bool finish = false;
  std::thread freer([&] {
    for (void* p : blocks)
      free_envelope(p, size);
    std::unique_lock lock(mutex);
    freed = true;
    changed.notify_all();
    changed.wait(lock, [&] { return finish; });  // alive, freeing nothing more
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return freed; });
  }
  const auto again = allocate_many(n + 2 * slab_blocks, size);
  CHECK(reused(blocks, again) >= n - 64);
  {
    std::lock_guard lock(mutex);
    finish = true;
  }
  changed.notify_all();
  freer.join();
  for (void* p : again)
    free_envelope(p, size);
}

TEST_CASE("envelope blocks of a thread that has exited can still be freed and are reused") {
  std::vector<void*> blocks;
  std::thread([&] { blocks = allocate_many(3000, 100); }).join();
  for (void* p : blocks)
    free_envelope(p, 100);  // the allocating thread is gone; its heap waits for the next one
  std::vector<void*> again;
  std::thread([&] {
    again = allocate_many(3000, 100);
    for (void* p : again)
      free_envelope(p, 100);
  }).join();
  CHECK(reused(blocks, again) >= 1500);
}

TEST_CASE("envelope blocks are aligned for any fundamental type and do not overlap") {
  for (std::size_t size : {1, 8, 16, 17, 48, 100, 255, 256}) {
    auto blocks = sorted(allocate_many(2000, size));
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      CHECK(reinterpret_cast<std::uintptr_t>(blocks[i]) % alignof(std::max_align_t) == 0);
      if (i > 0) CHECK(static_cast<char*>(blocks[i - 1]) + size <= blocks[i]);
    }
    for (void* p : blocks)
      free_envelope(p, size);
  }
}

namespace {
// Allocates and frees envelopes from a thread_local's destructor.
struct sends_at_thread_exit {
  ~sends_at_thread_exit() {
    auto* p = static_cast<unsigned char*>(allocate_envelope(48));
    std::fill(p, p + 48, static_cast<unsigned char>(7));
    free_envelope(p, 48);
  }
};
}  // namespace

TEST_CASE("envelopes can be allocated while a thread exits, after its heap was parked") {
  // Built before the thread's first envelope, so destroyed after the allocator parked the
  // thread's heap (thread_locals die in reverse order). LeakSanitizer would report a heap left
  // with the dying thread.
  std::thread([] {
    thread_local sends_at_thread_exit late;
    (void)&late;
    free_envelope(allocate_envelope(48), 48);
  }).join();
  const auto blocks = allocate_many(100, 48);  // the parked heaps are still usable
  CHECK(std::set<void*>(blocks.begin(), blocks.end()).size() == blocks.size());
  for (void* p : blocks)
    free_envelope(p, 48);
}

TEST_CASE("blocks freed on another thread while their owner allocates are never handed out twice") {
  // The owner takes remotely freed blocks back while the other thread is still freeing into the
  // same slabs: every block must reach exactly one user at a time. Each block carries the number
  // of its allocation; the freeing thread checks it is intact, so a block handed out again while
  // in use (or one whose slab went back to the system) shows as a mismatch.
  constexpr std::uint64_t blocks = 200'000;
  constexpr std::size_t size = 240;
  std::mutex mutex;
  std::deque<std::pair<std::uint64_t*, std::uint64_t>> in_flight;
  std::atomic<bool> done{false};
  std::uint64_t mismatches = 0;
  std::thread consumer([&] {
    for (;;) {
      std::pair<std::uint64_t*, std::uint64_t> item{nullptr, 0};
      {
        std::lock_guard lock(mutex);
        if (!in_flight.empty()) {
          item = in_flight.front();
          in_flight.pop_front();
        }
      }
      if (item.first == nullptr) {
        if (done.load()) {
          std::lock_guard lock(mutex);
          if (in_flight.empty()) return;
        }
        std::this_thread::yield();
        continue;
      }
      if (item.first[0] != item.second || item.first[size / 8 - 1] != item.second) ++mismatches;
      free_envelope(item.first, size);
    }
  });
  for (std::uint64_t n = 1; n <= blocks; ++n) {
    auto* p = static_cast<std::uint64_t*>(allocate_envelope(size));
    p[0] = n;
    p[size / 8 - 1] = n;
    std::lock_guard lock(mutex);
    in_flight.emplace_back(p, n);
  }
  done.store(true);
  consumer.join();
  CHECK(mismatches == 0);
}

// A slab whose blocks have all come back starts handing them out afresh, in address order; the
// free list it forgets must not hand any of them out a second time. In each round another
// thread frees every block, the owner takes back about as many (collecting the other thread's
// bits, and more) and frees them here: slabs end with every block back, in free lists in no
// order of address, and the next blocks come from them.
TEST_CASE("a slab whose blocks all came back hands each out again only once") {
  constexpr std::size_t size = 48;
  constexpr int count = 20'000;  // more than the owner's free blocks of this size: it collects
  bool handed_out_twice = false;
  std::thread([&] {
    for (int more = -20; more < 1'500 && !handed_out_twice; more += 7) {
      std::vector<void*> blocks = allocate_many(count, size);
      std::thread([&] {
        for (void* p : blocks)
          free_envelope(p, size);
      }).join();
      for (void* p : allocate_many(count + more, size))
        free_envelope(p, size);
      const std::vector<void*> fresh = sorted(allocate_many(2 * count, size));
      handed_out_twice = std::adjacent_find(fresh.begin(), fresh.end()) != fresh.end();
      for (void* p : fresh)
        free_envelope(p, size);
    }
  }).join();
  CHECK_FALSE(handed_out_twice);
}
