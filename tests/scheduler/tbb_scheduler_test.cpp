#include <catch2/catch.hpp>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "scheduler/tbb_scheduler.hpp"

namespace {
// A runnable that does `rounds` activations of work, yielding between them, and detects being
// entered by two threads at once.
class counter_task final : public thespis::runnable {
 public:
  explicit counter_task(int rounds) : remaining_(rounds) {}
  thespis::run_result run() noexcept override {
    if (inside_.exchange(true, std::memory_order_acq_rel)) overlaps_.fetch_add(1);
    threads_seen_.fetch_or(thread_bit(), std::memory_order_relaxed);
    const bool more = --remaining_ > 0;
    inside_.store(false, std::memory_order_release);
    return more ? thespis::run_result::yielded : thespis::run_result::idle;
  }

  int remaining() const { return remaining_; }
  int overlaps() const { return overlaps_.load(); }

 private:
  static unsigned thread_bit() {
    return 1u << (std::hash<std::thread::id>{}(std::this_thread::get_id()) % 32);
  }
  int remaining_;  // touched only inside run(), which never overlaps itself
  std::atomic<bool> inside_{false};
  std::atomic<int> overlaps_{0};
  std::atomic<unsigned> threads_seen_{0};
};
}  // namespace

TEST_CASE("the pool runs every activation of yielding runnables and drain waits for them") {
  std::deque<counter_task> tasks;  // runnables do not move
  for (int i = 0; i < 200; ++i)
    tasks.emplace_back(50);
  thespis::tbb_scheduler pool(4);
  for (auto& t : tasks)
    pool.schedule(t);
  pool.drain();
  for (auto& t : tasks) {
    CHECK(t.remaining() == 0);
    CHECK(t.overlaps() == 0);
  }
}

TEST_CASE("a pool reports the worker count it was given") {
  thespis::tbb_scheduler pool(3);
  CHECK(pool.workers() == 3);
}

namespace {
// Counts its activations; each schedule runs it once.
class one_shot final : public thespis::runnable {
 public:
  explicit one_shot(std::atomic<int>& runs) : runs_(runs) {}
  thespis::run_result run() noexcept override {
    runs_.fetch_add(1, std::memory_order_relaxed);
    return thespis::run_result::idle;
  }

 private:
  std::atomic<int>& runs_;
};
}  // namespace

// Outside schedules share a queue that drainer tasks empty: a runnable queued just as the last
// drainer leaves must still run (drain() waits only for tasks, so a stranded one fails here).
TEST_CASE("runnables scheduled by many outside threads at once all run") {
  constexpr int threads = 4;
  constexpr int per_thread = 64;
  constexpr int rounds = 200;
  std::atomic<int> runs{0};
  std::deque<one_shot> shots;
  for (int i = 0; i < threads * per_thread; ++i)
    shots.emplace_back(runs);
  thespis::tbb_scheduler pool(2);
  for (int round = 1; round <= rounds; ++round) {
    std::vector<std::thread> outside;
    for (int t = 0; t < threads; ++t) {
      outside.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i)
          pool.schedule(shots[static_cast<std::size_t>(t * per_thread + i)]);
      });
    }
    for (auto& th : outside)
      th.join();
    pool.drain();
    REQUIRE(runs.load() == round * threads * per_thread);
  }
}
