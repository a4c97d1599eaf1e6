#include "scheduler/tbb_scheduler.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <utility>

namespace thespis {

namespace {
struct worker_slot;
thread_local worker_slot* current_slot = nullptr;  // set while a task of ours runs here
}  // namespace

struct tbb_scheduler::impl {
  impl(unsigned workers, unsigned chain_limit)
      : workers(workers),
        chain_limit(chain_limit),
        // TBB allows hardware_concurrency - 1 worker threads by default (it counts on the main
        // thread joining); we want exactly `workers` threads that need no external thread.
        parallelism(tbb::global_control::max_allowed_parallelism, workers + 1),
        arena(static_cast<int>(workers), /*reserved_for_masters=*/0) {}

  void activate(runnable* r) noexcept;
  void schedule(runnable& r) noexcept;
  void enqueue_fifo(runnable* r) noexcept {
    arena.enqueue(group.defer([this, r] { activate(r); }));
  }
  void spawn_local(runnable* r) noexcept {
    group.run([this, r] { activate(r); });
  }

  const unsigned workers;
  const unsigned chain_limit;
  tbb::global_control parallelism;
  tbb::task_arena arena;
  tbb::task_group group;  // tracks every task we submit, so drain() can wait for all of them
};

namespace {
struct worker_slot {
  const void* owner;  // the impl whose task runs here
  runnable* next;     // the runnable to run right after the current activation, if any
};
}  // namespace

// Runs r, then whatever its activation scheduled into the `next` slot, up to chain_limit.
void tbb_scheduler::impl::activate(runnable* r) noexcept {
  worker_slot slot{this, nullptr};
  worker_slot* outer = std::exchange(current_slot, &slot);
  for (unsigned hops = 1;; ++hops) {
    if (r->run() == run_result::yielded) {
      enqueue_fifo(r);  // to the back of the shared queue: others get a turn
    } else {
      r->release();
    }
    r = std::exchange(slot.next, nullptr);
    if (!r) break;
    if (hops == chain_limit) {
      enqueue_fifo(r);  // a long chain hands over, so no chain starves the queue
      break;
    }
  }
  current_slot = outer;
}

void tbb_scheduler::impl::schedule(runnable& r) noexcept {
  r.retain();
  worker_slot* slot = current_slot;
  if (slot == nullptr || slot->owner != this) {
    enqueue_fifo(&r);  // from outside the pool
  } else if (slot->next == nullptr) {
    slot->next = &r;  // runs next on this worker
  } else {
    spawn_local(&r);  // this worker's deque; idle workers steal from it
  }
}

tbb_scheduler::tbb_scheduler(unsigned workers, unsigned chain_limit)
    : impl_(std::make_unique<impl>(workers < 1 ? 1 : workers, chain_limit < 1 ? 1 : chain_limit)) {}

tbb_scheduler::~tbb_scheduler() {
  drain();
}

void tbb_scheduler::schedule(runnable& r) noexcept {
  impl_->schedule(r);
}

void tbb_scheduler::drain() noexcept {
  impl_->arena.execute([this] { impl_->group.wait(); });
}

unsigned tbb_scheduler::workers() const noexcept {
  return impl_->workers;
}

}  // namespace thespis
