#include "scheduler/tbb_scheduler.hpp"

#include "scheduler/cpu_pause.hpp"
#include "scheduler/held_runnable.hpp"
#include "scheduler/runnable_ring.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace thespis {

struct tbb_scheduler::impl {
  impl(unsigned workers, runnable::run_function run, unsigned chain_limit)
      : run(run),
        workers(workers),
        chain_limit(chain_limit),
        parallelism(raise_parallelism_to(workers + 1)),
        arena(static_cast<int>(workers), /*reserved_for_masters=*/0) {}

  // How an activation came to run: from a drainer (woken from outside, offered to stay
  // scheduled: see keep_open_offered()) or from a task of ours.
  enum class woken { from_outside, inside };
  void activate(runnable* r, woken how = woken::inside) noexcept;
  void schedule(runnable& r) noexcept;
  void inject(runnable* r) noexcept;
  void queue_for_drainers(runnable* r) noexcept;
  bool queue_in_overflow(runnable* r, bool even_if_empty = false) noexcept;
  void keep_open(runnable* r) noexcept;
  bool start_drainer_if_needed(runnable* first) noexcept;
  void drain_injected() noexcept;
  bool linger() noexcept;
  runnable* take_injected() noexcept;
  // From activate(), so in a task of ours.
  void enqueue_fifo(runnable* r) noexcept {
    count_here(&task_counts::submitted);
    arena.enqueue(group.defer([this, r] {
      count_here(&task_counts::started);
      activate(r);
    }));
  }
  // Hands the runnable held in a worker's `next` slot to its deque, where an idle worker can
  // take it: its sender goes on sending to it (see held_runnable.hpp). Alone in the pool, it
  // stays.
  static void release_held(detail::held_runnable_slot& slot) noexcept;
  // Whether a runnable woken from outside may stay scheduled: only while others woken so wait
  // in the drainers' queue. Kept open alone, it would be taken straight back, before anything
  // could have come for it.
  static bool others_woken_from_outside(detail::held_runnable_slot& slot) noexcept;
  // Into the calling thread's deque, in the arena it is in: only from a task of ours (see
  // in_own_task()).
  void spawn_local(runnable* r) noexcept {
    count_here(&task_counts::submitted);
    group.run([this, r] {
      count_here(&task_counts::started);
      activate(r);
    });
  }
  // True if the calling thread runs a task of ours right now, not a nested one: not a task of a
  // parallel algorithm a handler started, nor code inside the user's own task_arena::execute.
  // Only then does a oneTBB spawn land in our arena, and is current_thread_index() a slot of
  // it. A task spawned in the user's arena runs there or never (an arena of one slot has no
  // worker), and drain() would wait for it for ever.
  bool in_own_task() const noexcept { return tbb::task::current_context() == &context; }

  // -- whether any of our work waits for a worker -------------------------------------------
  // Per worker slot (and one shared line for threads outside the pool), how many tasks the
  // thread there submitted to TBB and how many it started. A slot's line is written only by the
  // thread in the slot — TBB gives a slot to one thread at a time, and hands it over with a
  // release/acquire pair — so a plain load and store count there: an atomic read-modify-write
  // on every spawn cost skynet 7-10 %. A thread counts on its slot only inside a task of ours:
  // anywhere else current_thread_index() numbers another arena's slots (an outside thread that
  // once used oneTBB reads 0, as do other pools' workers and a handler inside the user's own
  // arena). Drainers are started from anywhere, and count on the last line: fetch_add.
  struct alignas(64) task_counts {
    std::atomic<std::uint64_t> submitted{0};
    std::atomic<std::uint64_t> started{0};
  };
  // relaxed (all): the counts only steer fairness. A stale read lets a yielded runnable run one
  // more budget before it gives way; the next yield reads again.
  // Counts on the calling thread's slot; only from a task of ours (see in_own_task()).
  void count_here(std::atomic<std::uint64_t> task_counts::*which) noexcept {
    const int slot = tbb::this_task_arena::current_thread_index();
    if (slot >= 0 && static_cast<unsigned>(slot) < workers) {
      std::atomic<std::uint64_t>& n = counts[slot].*which;
      n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      count_shared(which);  // not expected: our arena has `workers` slots
    }
  }
  // Counts on the shared line; from any thread.
  void count_shared(std::atomic<std::uint64_t> task_counts::*which) noexcept {
    (counts[workers].*which).fetch_add(1, std::memory_order_relaxed);
  }
  // True if a task of ours is queued in TBB and not started, or a runnable waits for a drainer.
  bool others_waiting() const noexcept { return injected_waiting() || tasks_waiting(); }
  // True if a task of ours is queued in TBB and not started.
  bool tasks_waiting() const noexcept {
    std::uint64_t submitted = 0;
    std::uint64_t started = 0;
    for (unsigned i = 0; i <= workers; ++i) {
      submitted += counts[i].submitted.load(std::memory_order_relaxed);
      started += counts[i].started.load(std::memory_order_relaxed);
    }
    // Lines read one after the other may be stale or torn: the answer can be wrong either way
    // for one budget, and the next yield reads again.
    return submitted != started;
  }

  const runnable::run_function run;  // one activation of a runnable
  const unsigned workers;
  const unsigned chain_limit;
  // TBB allows hardware_concurrency - 1 worker threads by default (it counts on the main thread
  // joining); we want `workers` threads that need no external thread. global_control is
  // process-wide and the smallest active limit wins, so we only ever raise the limit, and only
  // when the current one is too low (otherwise a 1-worker system would cap every other pool).
  static std::unique_ptr<tbb::global_control> raise_parallelism_to(std::size_t wanted) {
    using control = tbb::global_control;
    if (control::active_value(control::max_allowed_parallelism) >= wanted) return nullptr;
    return std::make_unique<control>(control::max_allowed_parallelism, wanted);
  }

  std::unique_ptr<tbb::global_control> parallelism;  // null when the default limit suffices
  tbb::task_arena arena;
  // The context of every task we submit (see in_own_task()). Isolated: bound (the default), it
  // would become the child of whatever task first spawned with it — a parallel_for body that
  // creates a system, say — and that task's cancellation (an exception) would cancel ours,
  // whose activations oneTBB then drops unrun.
  tbb::task_group_context context{
      tbb::task_group_context::isolated,
      tbb::task_group_context::default_traits | tbb::task_group_context::concurrent_wait};
  tbb::task_group group{context};  // tracks every task we submit, so drain() can wait for them

  // Runnables scheduled from threads outside the pool, taken by drainer tasks a batch at a
  // time. A oneTBB task per outside schedule was ~25 % of fork_join_creation (allocating the
  // task on the outside thread, freeing it on a worker, the arena queue): one drainer task now
  // serves up to drain_batch of them while the workers are busy. At most one drainer per
  // worker at a time. The ring holds them (see runnable_ring.hpp for why our own queue); what
  // does not fit waits in `overflow`, under its mutex.
  static constexpr unsigned drain_batch = 64;
  static constexpr std::size_t ring_capacity = 1024;
  // How long a drainer that emptied the queue waits for more (see drain_injected).
  static constexpr std::chrono::microseconds linger_time{2};
  // Whether drainers linger at all: only when the pool leaves a core to the outside thread
  // that feeds it. With as many workers as cores, a spinning drainer took the feeding thread's
  // core (the suite at 2 workers on 2 cores: an outside ask 1.1 -> 2.8 us).
  const bool may_linger = workers < std::thread::hardware_concurrency();
  // More queued runnables than this start another drainer even while one lingers: one drainer
  // takes a trickle as it comes, not a burst.
  static constexpr std::size_t backlog_threshold = 16;
  bool backlogged() const noexcept {
    return injected.size_estimate() > backlog_threshold ||
           overflow_count.load(std::memory_order_relaxed) != 0;
  }
  detail::runnable_ring injected{ring_capacity};
  std::mutex overflow_mutex;
  std::deque<runnable*> overflow;  // guarded by overflow_mutex
  // How many wait in `overflow`: written under the mutex, read without it.
  std::atomic<std::size_t> overflow_count{0};
  // True if some outside schedule waits (or is being queued right now).
  bool injected_waiting() const noexcept {
    return injected.maybe_nonempty() || overflow_count.load(std::memory_order_relaxed) != 0;
  }
  std::atomic<unsigned> drainers{0};
  std::atomic<unsigned> lingering{0};  // drainers waiting in linger() for the next runnable

  // One per worker slot, and the last for threads outside the pool.
  const std::unique_ptr<task_counts[]> counts = std::make_unique<task_counts[]>(workers + 1);
};

namespace {
// A worker's slot while it runs an activation (detail::current_held_slot points here).
struct worker_slot : detail::held_runnable_slot {
  void* owner = nullptr;  // the impl whose task runs here
};
worker_slot* current_slot() noexcept {
  return static_cast<worker_slot*>(detail::current_held_slot);
}
}  // namespace

void tbb_scheduler::impl::release_held(detail::held_runnable_slot& slot) noexcept {
  auto* self = static_cast<impl*>(static_cast<worker_slot&>(slot).owner);
  if (self->workers == 1) return;
  runnable* held = std::exchange(slot.next, nullptr);
  if (self->in_own_task()) {
    self->spawn_local(held);
  } else {
    self->inject(held);  // the sender is inside the user's arena or a parallel algorithm
  }
}

bool tbb_scheduler::impl::others_woken_from_outside(detail::held_runnable_slot& slot) noexcept {
  return static_cast<impl*>(static_cast<worker_slot&>(slot).owner)->injected_waiting();
}

// Runs r, then whatever its activation scheduled into the `next` slot, up to chain_limit.
void tbb_scheduler::impl::activate(runnable* r, woken how) noexcept {
  worker_slot slot;
  slot.owner = this;
  slot.release = release_held;
  // Only to r's first run (see keep_open_offered()).
  slot.keep_open_candidate = how == woken::from_outside ? r : nullptr;
  slot.may_keep_open = others_woken_from_outside;
  detail::held_runnable_slot* outer = std::exchange(detail::current_held_slot, &slot);
  for (unsigned hops = 1;; ++hops) {
    // No reference counting here: two atomic updates per activation were ~10 % of ping_pong.
    // The runnable's owner keeps it alive while it is queued (see runnable).
    run_result result = run(*r);
    slot.keep_open_candidate = nullptr;
    // A runnable that spent its budget gives way only to work that waits: alone, it runs on
    // here. Re-queued, it went to whichever worker was idle, a migration per budget (its
    // mailbox's messages and their frees crossing cores: counting at 2 workers 33 -> 23 ns).
    while (result == run_result::yielded && slot.next == nullptr && !others_waiting())
      result = run(*r);
    if (result == run_result::yielded) enqueue_fifo(r);  // to the back: others get a turn
    if (result == run_result::kept_open) keep_open(r);
    r = std::exchange(slot.next, nullptr);
    if (!r) break;
    if (hops == chain_limit) {
      // A long chain hands over, so that no chain starves the queue — but, like a spent
      // budget, only to work that waits. Handed over alone, the chain went to whichever worker
      // was idle: a oneTBB task and a move to another core every chain_limit hops.
      if (others_waiting()) {
        enqueue_fifo(r);
        break;
      }
      hops = 0;
    }
  }
  detail::current_held_slot = outer;
}

// From outside the pool. While no drainer runs, r starts one and runs first in it: a lone
// schedule (an ask from outside) costs one task, as before the queue. Otherwise r is queued for
// the drainers, and another one starts only if none lingers for it (see drain_injected): each
// drainer is a oneTBB task, and one per created actor was ~15 % of fork_join_creation.
void tbb_scheduler::impl::inject(runnable* r) noexcept {
  if (drainers.load(std::memory_order_relaxed) == 0 && start_drainer_if_needed(r)) return;
  queue_for_drainers(r);
  // seq_cst: pairs with the fence in drain_injected(). Of this thread (queued r — the ring's
  // tail or the overflow count — then reads the drainer count) and a drainer that leaves (lowers
  // the drainer count, then reads both), at least one sees the other's write, so r is never
  // left without a drainer.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  (void)start_drainer_if_needed(nullptr);
}

// Into the drainers' queue: the ring, or the overflow when it is full.
void tbb_scheduler::impl::queue_for_drainers(runnable* r) noexcept {
  if (!injected.try_push(r)) (void)queue_in_overflow(r, /*even_if_empty=*/true);
}

// Behind the overflow's runnables: returns false (and queues nothing) if the overflow is empty,
// unless told to queue there anyway.
bool tbb_scheduler::impl::queue_in_overflow(runnable* r, bool even_if_empty) noexcept {
  std::lock_guard lock(overflow_mutex);
  if (overflow.empty() && !even_if_empty) return false;
  // Fails only out of memory (noexcept: terminates); a schedule that cannot be kept would lose
  // the runnable for good.
  overflow.push_back(r);
  // relaxed: the caller orders it (inject()'s fence; keep_open() is in a drainer, which looks).
  overflow_count.store(overflow.size(), std::memory_order_relaxed);
  return true;
}

// A runnable woken from outside, kept scheduled after an activation that handled work, goes
// behind what waits in the drainers' queue; its next activation goes idle if it finds nothing.
// Only from a drainer (activate(r, woken::from_outside)), which takes from the queue after
// this activation or, leaving, starts another if the queue is not empty: no fence is needed
// for r to be found. A backlog starts more drainers, as in inject(), so that a feeder's actors
// kept open are not all left to one worker.
void tbb_scheduler::impl::keep_open(runnable* r) noexcept {
  // Behind the overflow while it holds any: drainers take from the ring first, and runnables
  // kept open that went back to the ring would keep it from ever emptying, leaving those in
  // the overflow waiting for as long as the feeding goes on.
  if (overflow_count.load(std::memory_order_relaxed) == 0 || !queue_in_overflow(r))
    queue_for_drainers(r);
  if (backlogged()) (void)start_drainer_if_needed(nullptr);
}

// Starts a drainer, running `first` before the queue, and returns whether it did: if none runs,
// or if not every worker has one and none lingers for work (the running ones are busy: an
// actor woken from outside must not wait behind a long handler while a worker is idle) or a
// backlog waits.
bool tbb_scheduler::impl::start_drainer_if_needed(runnable* first) noexcept {
  // relaxed: the count only bounds the drainers; the queue carries the runnables' ordering.
  unsigned running = drainers.load(std::memory_order_relaxed);
  while (running == 0 ||
         (running < workers && (lingering.load(std::memory_order_relaxed) == 0 || backlogged()))) {
    if (drainers.compare_exchange_weak(running, running + 1, std::memory_order_relaxed)) {
      count_shared(&task_counts::submitted);  // from any thread: an outside one, mostly
      arena.enqueue(group.defer([this, first] {
        count_here(&task_counts::started);
        if (first) activate(first, woken::from_outside);
        drain_injected();
      }));
      return true;
    }
  }
  return false;
}

// Runs injected runnables, up to drain_batch, then leaves; if some are left, another drainer goes
// to the back of the arena's queue, so that this worker's own tasks get their turn first. It
// takes them one at a time, so that while it is busy with one, the others stay where another
// drainer can take them. When the queue is empty it lingers a moment (see linger()) for the
// next one: an outside thread that creates actors or asks one after another schedules every
// few hundred nanoseconds, and a drainer that had left would be a new oneTBB task each time
// (an outside ask's round trip: 1.05 -> 0.52 us). One lingering drainer is enough: a second
// spinning one takes the core the outside thread needs.
void tbb_scheduler::impl::drain_injected() noexcept {
  bool lingered = false;
  for (unsigned ran = 0; ran < drain_batch;) {
    if (runnable* r = take_injected()) {
      if (lingered) {
        // seq_cst: pairs with the fence in inject(). A schedule that saw this drainer lingering
        // started no other; if more wait now, this one, about to be busy, starts a helper.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (injected_waiting()) (void)start_drainer_if_needed(nullptr);
        lingered = false;
      }
      activate(r, woken::from_outside);
      ++ran;
      continue;
    }
    if (!may_linger || tasks_waiting() || lingering.load(std::memory_order_relaxed) != 0 ||
        !linger())
      break;
    lingered = true;
  }
  drainers.fetch_sub(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // see inject()
  if (injected_waiting()) (void)start_drainer_if_needed(nullptr);
}

// Takes the oldest runnable scheduled from outside, or returns null if none waits.
runnable* tbb_scheduler::impl::take_injected() noexcept {
  if (runnable* r = injected.try_pop()) return r;
  if (overflow_count.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard lock(overflow_mutex);
  if (overflow.empty()) return nullptr;
  runnable* r = overflow.front();
  overflow.pop_front();
  overflow_count.store(overflow.size(), std::memory_order_relaxed);
  return r;
}

// Waits up to linger_time for an injected runnable; returns true if one came. Gives up at once
// when tasks of ours wait for a worker (this one may be the only one). Bounded, so an idle
// system still sleeps: the drainer leaves and TBB parks the thread.
bool tbb_scheduler::impl::linger() noexcept {
  using clock = std::chrono::steady_clock;
  // relaxed: a hint to inject() that this drainer will take what it queues (see
  // start_drainer_if_needed); no runnable depends on it being current.
  lingering.fetch_add(1, std::memory_order_relaxed);
  const auto until = clock::now() + linger_time;
  bool came = false;
  for (unsigned i = 1;; ++i) {
    if (injected_waiting()) {
      came = true;
      break;
    }
    if (i % 16 != 0) {  // the clock and the task counts every 16 rounds: a pause is ~25 ns
      detail::cpu_pause();
      continue;
    }
    if (tasks_waiting() || clock::now() >= until) break;
  }
  lingering.fetch_sub(1, std::memory_order_relaxed);
  return came;
}

void tbb_scheduler::impl::schedule(runnable& r) noexcept {
  worker_slot* slot = current_slot();
  if (slot == nullptr || slot->owner != this) {
    inject(&r);  // from outside the pool
  } else if (slot->next == nullptr) {
    slot->next = &r;  // runs next on this worker
    slot->pushes_while_held = 0;
  } else if (in_own_task()) {
    spawn_local(&r);  // this worker's deque; idle workers steal from it
  } else {
    inject(&r);  // the handler is inside the user's arena or a parallel algorithm (see there)
  }
}

tbb_scheduler::tbb_scheduler(unsigned workers, runnable::run_function run, unsigned chain_limit)
    : impl_(std::make_unique<impl>(workers < 1 ? 1 : workers, run,
                                   chain_limit < 1 ? 1 : chain_limit)) {}

tbb_scheduler::~tbb_scheduler() {
  drain();
}

void tbb_scheduler::schedule(runnable& r) noexcept {
  impl_->schedule(r);
}

bool tbb_scheduler::running_here() const noexcept {
  const worker_slot* slot = current_slot();
  return slot != nullptr && slot->owner == impl_.get();
}

void tbb_scheduler::drain() noexcept {
  impl_->arena.execute([this] { impl_->group.wait(); });
}

unsigned tbb_scheduler::workers() const noexcept {
  return impl_->workers;
}

bool tbb_scheduler::work_waiting() const noexcept {
  return impl_->others_waiting();
}

}  // namespace thespis
