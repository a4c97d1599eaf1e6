#include <catch2/catch.hpp>

#include <atomic>
#include <deque>
#include <thread>

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
