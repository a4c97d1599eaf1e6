#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("envelope blocks of every size survive a round trip between threads") {
  std::vector<std::pair<void*, std::size_t>> blocks;
  for (std::size_t size : {1, 24, 25, 40, 100, 264, 265, 4096}) {
    for (int i = 0; i < 300; ++i) {  // more than one thread's cache holds
      auto* p = static_cast<unsigned char*>(allocate_envelope(size));
      std::fill(p, p + size, static_cast<unsigned char>(i));  // ASan: the block is big enough
      blocks.emplace_back(p, size);
    }
  }
  // Freed on a thread that then exits: its cache goes back to the global allocator (else
  // LeakSanitizer reports the blocks).
  std::thread([&] {
    for (auto [p, size] : blocks)
      free_envelope(p, size);
  }).join();
  SUCCEED();
}
