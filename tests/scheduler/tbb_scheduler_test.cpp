#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "mailbox/mpsc_mailbox.hpp"
#include "scheduler/held_runnable.hpp"
#include "scheduler/tbb_scheduler.hpp"

namespace {
// A pool runs one kind of runnable (see runnable::run_function): here, the tests' tasks, each
// with a virtual run().
class task : public thespis::runnable {
 public:
  virtual thespis::run_result run() noexcept = 0;
  static thespis::run_result activate(thespis::runnable& r) noexcept {
    return static_cast<task&>(r).run();
  }

 protected:
  ~task() = default;
};

// A runnable that does `rounds` activations of work, yielding between them, and detects being
// entered by two threads at once.
class counter_task final : public task {
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
  thespis::tbb_scheduler pool(4, task::activate);
  for (auto& t : tasks)
    pool.schedule(t);
  pool.drain();
  for (auto& t : tasks) {
    CHECK(t.remaining() == 0);
    CHECK(t.overlaps() == 0);
  }
}

TEST_CASE("a pool reports the worker count it was given") {
  thespis::tbb_scheduler pool(3, task::activate);
  CHECK(pool.workers() == 3);
}

namespace {
// Counts its activations; each schedule runs it once.
class one_shot final : public task {
 public:
  explicit one_shot(std::atomic<int>& runs) : runs_(runs) {}
  thespis::run_result run() noexcept override {
    runs_.fetch_add(1, std::memory_order_relaxed);
    return thespis::run_result::idle;
  }

 private:
  std::atomic<int>& runs_;
};

// Schedules `runnables` from `threads` threads outside the pool at once, `per_thread` each
// (thread t takes the t-th run of them), and returns when every thread has scheduled its share.
template <class Runnables>
void schedule_from_outside(thespis::tbb_scheduler& pool, Runnables& runnables, int threads,
                           int per_thread) {
  std::vector<std::thread> outside;
  for (int t = 0; t < threads; ++t) {
    outside.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        pool.schedule(runnables[static_cast<std::size_t>(t * per_thread + i)]);
    });
  }
  for (auto& th : outside)
    th.join();
}
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
  thespis::tbb_scheduler pool(2, task::activate);
  for (int round = 1; round <= rounds; ++round) {
    schedule_from_outside(pool, shots, threads, per_thread);
    pool.drain();
    REQUIRE(runs.load() == round * threads * per_thread);
  }
}

namespace {
// Always has more work, until `waiter_ran` is set — or until `patience` has passed, so that a
// scheduler that never lets the waiter run fails the test instead of hanging it.
class hog final : public task {
 public:
  explicit hog(const std::atomic<bool>& waiter_ran) : waiter_ran_(waiter_ran) {}
  thespis::run_result run() noexcept override {
    if (waiter_ran_.load(std::memory_order_acquire)) {
      gave_way_.store(true, std::memory_order_release);
      return thespis::run_result::idle;
    }
    return std::chrono::steady_clock::now() < give_up_ ? thespis::run_result::yielded
                                                       : thespis::run_result::idle;
  }
  bool gave_way() const { return gave_way_.load(std::memory_order_acquire); }

 private:
  static constexpr auto patience = std::chrono::seconds(30);
  const std::atomic<bool>& waiter_ran_;
  const std::chrono::steady_clock::time_point give_up_ =
      std::chrono::steady_clock::now() + patience;
  std::atomic<bool> gave_way_{false};
};

// Sets the flag the hog watches.
class waiter final : public task {
 public:
  explicit waiter(std::atomic<bool>& ran) : ran_(ran) {}
  thespis::run_result run() noexcept override {
    ran_.store(true, std::memory_order_release);
    return thespis::run_result::idle;
  }

 private:
  std::atomic<bool>& ran_;
};

// Run by the pool: schedules `first` (into this worker's next slot) and `second` (into its
// local deque, as the slot is taken).
class scheduler_of_two final : public task {
 public:
  scheduler_of_two(thespis::tbb_scheduler& pool, runnable& first, runnable& second)
      : pool_(pool), first_(first), second_(second) {}
  thespis::run_result run() noexcept override {
    pool_.schedule(first_);
    pool_.schedule(second_);
    return thespis::run_result::idle;
  }

 private:
  thespis::tbb_scheduler& pool_;
  runnable& first_;
  runnable& second_;
};
}  // namespace

// A runnable that spent its budget runs on while nothing else waits (no migration per budget),
// but gives way to work that does, on one worker too.
TEST_CASE("a runnable that always has work gives way to one scheduled from outside") {
  std::atomic<bool> waiter_ran{false};
  hog busy(waiter_ran);
  waiter late(waiter_ran);
  thespis::tbb_scheduler pool(1, task::activate);
  pool.schedule(busy);
  pool.schedule(late);
  pool.drain();
  CHECK(busy.gave_way());
}

namespace {
// Holds its worker until `other_ran` is set, or until patience runs out (then reports that it
// waited in vain instead of hanging the test).
class waits_for_other final : public task {
 public:
  explicit waits_for_other(const std::atomic<bool>& other_ran) : other_ran_(other_ran) {}
  thespis::run_result run() noexcept override {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!other_ran_.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() > give_up) return thespis::run_result::idle;
      std::this_thread::yield();
    }
    saw_other_.store(true, std::memory_order_release);
    return thespis::run_result::idle;
  }
  bool saw_other() const { return saw_other_.load(std::memory_order_acquire); }

 private:
  const std::atomic<bool>& other_ran_;
  std::atomic<bool> saw_other_{false};
};
}  // namespace

// Outside schedules share one queue and, mostly, one drainer task: while that drainer is held
// by a long activation, the next runnable scheduled from outside must go to the idle worker.
TEST_CASE("a runnable scheduled from outside runs on an idle worker while another holds its own") {
  for (int round = 0; round < 50; ++round) {
    std::atomic<bool> other_ran{false};
    waits_for_other holder(other_ran);
    waiter other(other_ran);
    thespis::tbb_scheduler pool(2, task::activate);
    pool.schedule(holder);
    pool.schedule(other);
    pool.drain();
    REQUIRE(holder.saw_other());
  }
}

// The drainer that runs outside schedules lingers for more while they keep coming; a task that
// an injected runnable spawned on the same (only) worker must still get its turn soon, not
// when the outside thread stops.
TEST_CASE("a worker's own tasks run while an outside thread keeps scheduling") {
  constexpr int limit = 200'000;
  std::atomic<int> runs{0};
  std::deque<one_shot> trickle;
  for (int i = 0; i < limit; ++i)
    trickle.emplace_back(runs);
  std::atomic<bool> waiter_ran{false};
  std::atomic<int> trickle_runs_when_waited{-1};
  one_shot first(runs);
  class noting_waiter final : public task {
   public:
    noting_waiter(std::atomic<bool>& ran, std::atomic<int>& runs, std::atomic<int>& seen)
        : ran_(ran), runs_(runs), seen_(seen) {}
    thespis::run_result run() noexcept override {
      seen_.store(runs_.load());
      ran_.store(true, std::memory_order_release);
      return thespis::run_result::idle;
    }

   private:
    std::atomic<bool>& ran_;
    std::atomic<int>& runs_;
    std::atomic<int>& seen_;
  } late(waiter_ran, runs, trickle_runs_when_waited);
  thespis::tbb_scheduler pool(1, task::activate);
  scheduler_of_two start(pool, first, late);
  pool.schedule(start);  // from outside: runs in a drainer, and spawns `late` on its worker
  int scheduled = 0;
  while (scheduled < limit && !waiter_ran.load(std::memory_order_acquire))
    pool.schedule(trickle[static_cast<std::size_t>(scheduled++)]);
  pool.drain();
  REQUIRE(waiter_ran.load());
  // The pool gave way within a batch or so, not after the whole trickle.
  CHECK(trickle_runs_when_waited.load() < 1'000);
  CHECK(runs.load() == scheduled + 1);
}

TEST_CASE("a runnable that always has work gives way to one waiting in its worker's deque") {
  std::atomic<bool> waiter_ran{false};
  hog busy(waiter_ran);
  waiter late(waiter_ran);
  thespis::tbb_scheduler pool(1, task::activate);
  scheduler_of_two start(pool, busy, late);
  pool.schedule(start);
  pool.drain();
  CHECK(busy.gave_way());
}

namespace {
// One of a pair that hands the worker back and forth: each activation schedules the partner
// (into the worker's next slot, a chain that never ends), until `waiter_ran` is set — or until
// patience runs out, so that a scheduler that never lets the waiter run fails the test.
class relay final : public task {
 public:
  relay(thespis::tbb_scheduler& pool, const std::atomic<bool>& waiter_ran,
        std::atomic<bool>& gave_way)
      : pool_(pool), waiter_ran_(waiter_ran), gave_way_(gave_way) {}
  void pair_with(relay& partner) { partner_ = &partner; }
  thespis::run_result run() noexcept override {
    if (waiter_ran_.load(std::memory_order_acquire)) {
      gave_way_.store(true, std::memory_order_release);
    } else if (std::chrono::steady_clock::now() < give_up_) {
      pool_.schedule(*partner_);
    }
    return thespis::run_result::idle;
  }

 private:
  static constexpr auto patience = std::chrono::seconds(30);
  thespis::tbb_scheduler& pool_;
  const std::atomic<bool>& waiter_ran_;
  std::atomic<bool>& gave_way_;
  relay* partner_ = nullptr;
  const std::chrono::steady_clock::time_point give_up_ =
      std::chrono::steady_clock::now() + patience;
};

// Two relays handing a one-worker pool back and forth without end, and a waiter that stops them.
struct endless_chain {
  endless_chain() {
    ping.pair_with(pong);
    pong.pair_with(ping);
  }
  std::atomic<bool> waiter_ran{false};
  std::atomic<bool> gave_way{false};
  relay ping{pool, waiter_ran, gave_way};
  relay pong{pool, waiter_ran, gave_way};
  waiter late{waiter_ran};
  thespis::tbb_scheduler pool{1, task::activate};  // last: drained before the tasks go
};
}  // namespace

// A chain of hand-offs runs on past its limit while nothing else waits (no task and no move to
// another core per chain), but gives way to work that does, on one worker too.
TEST_CASE("a chain of hand-offs that never ends gives way to a runnable scheduled from outside") {
  endless_chain chain;
  chain.pool.schedule(chain.ping);
  chain.pool.schedule(chain.late);
  chain.pool.drain();
  CHECK(chain.gave_way.load());
}

TEST_CASE("a chain of hand-offs that never ends gives way to a runnable in its worker's deque") {
  endless_chain chain;
  scheduler_of_two start(chain.pool, chain.ping, chain.late);
  chain.pool.schedule(start);
  chain.pool.drain();
  CHECK(chain.gave_way.load());
}

namespace {
// Holds its worker until opened, so the pool cannot drain while a test queues more.
class blocker final : public task {
 public:
  thespis::run_result run() noexcept override {
    entered_.store(true, std::memory_order_release);
    while (!open_.load(std::memory_order_acquire))
      std::this_thread::yield();
    return thespis::run_result::idle;
  }
  void wait_entered() const {
    while (!entered_.load(std::memory_order_acquire))
      std::this_thread::yield();
  }
  void open() { open_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> entered_{false};
  std::atomic<bool> open_{false};
};
}  // namespace

// Outside schedules go through a bounded ring; what does not fit must wait elsewhere, not be
// dropped or run twice.
TEST_CASE("outside schedules beyond the queue's capacity all run, once") {
  constexpr int count = 5'000;  // several times the ring
  std::atomic<int> runs{0};
  std::deque<one_shot> shots;
  for (int i = 0; i < count; ++i)
    shots.emplace_back(runs);
  blocker hold;
  thespis::tbb_scheduler pool(1, task::activate);
  pool.schedule(hold);
  hold.wait_entered();  // the only worker is busy: nothing queued below can be taken yet
  for (auto& shot : shots)
    pool.schedule(shot);
  hold.open();
  pool.drain();
  CHECK(runs.load() == count);
}

namespace {
// Runs once per shot, in a chain (it schedules itself into its worker's next slot), and each time
// schedules the next of `shots` too, which goes to the worker's local deque.
class spawner final : public task {
 public:
  spawner(thespis::tbb_scheduler& pool, std::deque<one_shot>& shots) : pool_(pool), shots_(shots) {}
  thespis::run_result run() noexcept override {
    const std::size_t round = next_++;
    if (next_ < shots_.size()) pool_.schedule(*this);
    pool_.schedule(shots_[round]);
    return thespis::run_result::idle;
  }

 private:
  thespis::tbb_scheduler& pool_;
  std::deque<one_shot>& shots_;
  std::size_t next_ = 0;  // touched only inside run(), which never overlaps itself
};
}  // namespace

// The pool counts the tasks it queued and started per worker, without an atomic
// read-modify-write (see tbb_scheduler.cpp); threads outside the pool, which oneTBB numbers from
// 0 too, must count elsewhere. A lost count would leave the pool thinking work waits (every
// busy runnable and chain handing over for good) or hide work that does.
TEST_CASE(
    "after outside threads and workers scheduled at once, a drained pool has no work waiting") {
  constexpr int threads = 4;
  constexpr int per_thread = 50'000;
  constexpr int pools = 20;  // a count is lost in about a third of the pools when it can be
  for (int round = 0; round < pools; ++round) {
    std::atomic<int> runs{0};
    std::deque<one_shot> spawned;
    std::deque<one_shot> injected;
    for (int i = 0; i < threads * per_thread; ++i) {
      spawned.emplace_back(runs);
      injected.emplace_back(runs);
    }
    thespis::tbb_scheduler pool(2, task::activate);
    spawner chain(pool, spawned);
    pool.schedule(chain);
    schedule_from_outside(pool, injected, threads, per_thread);
    pool.drain();
    REQUIRE(runs.load() == 2 * threads * per_thread);
    REQUIRE_FALSE(pool.work_waiting());
  }
}

namespace {
// Schedules `receiver` (into its worker's next slot), then reports `pushes` pushes to it, as a
// sender whose messages find it already scheduled does, and waits — up to `patience` — for it
// to run while this activation still runs.
class persistent_sender final : public task {
 public:
  persistent_sender(thespis::tbb_scheduler& pool, runnable& receiver,
                    const std::atomic<bool>& receiver_ran, unsigned pushes,
                    std::chrono::milliseconds patience)
      : pool_(pool),
        receiver_(receiver),
        receiver_ran_(receiver_ran),
        pushes_(pushes),
        patience_(patience) {}
  thespis::run_result run() noexcept override {
    pool_.schedule(receiver_);
    for (unsigned i = 0; i < pushes_; ++i)
      thespis::detail::note_push_to_scheduled(receiver_);
    const auto give_up = std::chrono::steady_clock::now() + patience_;
    while (!receiver_ran_.load(std::memory_order_acquire) &&
           std::chrono::steady_clock::now() < give_up)
      std::this_thread::yield();
    saw_receiver_run_ = receiver_ran_.load(std::memory_order_acquire);
    return thespis::run_result::idle;
  }
  bool saw_receiver_run() const { return saw_receiver_run_; }

 private:
  thespis::tbb_scheduler& pool_;
  runnable& receiver_;
  const std::atomic<bool>& receiver_ran_;
  const unsigned pushes_;
  const std::chrono::milliseconds patience_;
  bool saw_receiver_run_ = false;  // read after drain()
};
}  // namespace

// A receiver waits in its sender's next slot to run where the messages are hot; a sender that
// goes on sending (a producer's loop) lets it go to an idle worker, which handles the messages
// while they are sent. (Fails after 10 s if it never goes.)
TEST_CASE("a runnable its sender keeps pushing to runs on an idle worker while the sender runs") {
  std::atomic<bool> ran{false};
  waiter receiver(ran);  // sets `ran` when it runs
  thespis::tbb_scheduler pool(2, task::activate);
  persistent_sender sender(pool, receiver, ran, thespis::detail::release_after_pushes,
                           std::chrono::seconds(10));
  pool.schedule(sender);
  pool.drain();
  CHECK(sender.saw_receiver_run());
}

// Ping-pong and request-reply push once per activation: the receiver stays where the message
// is hot, even with a worker idle. (The sender gives it 200 ms to be taken elsewhere.)
TEST_CASE("a runnable pushed to once stays in its sender's next slot until the sender is done") {
  std::atomic<bool> ran{false};
  waiter receiver(ran);  // sets `ran` when it runs
  thespis::tbb_scheduler pool(2, task::activate);
  persistent_sender sender(pool, receiver, ran, 1, std::chrono::milliseconds(200));
  pool.schedule(sender);
  pool.drain();
  CHECK_FALSE(sender.saw_receiver_run());
  CHECK(ran.load());
}

namespace {
// Run by the pool: inside `arena` (the user's own oneTBB arena, entered from the activation as a
// handler may), schedules `first` (into the worker's next slot) and `second` (which cannot go
// there: the slot is taken), then reports `pushes` pushes to `first`, as a sending loop does.
class scheduler_in_foreign_arena final : public task {
 public:
  scheduler_in_foreign_arena(thespis::tbb_scheduler& pool, tbb::task_arena& arena, runnable& first,
                             runnable& second, unsigned pushes)
      : pool_(pool), arena_(arena), first_(first), second_(second), pushes_(pushes) {}
  thespis::run_result run() noexcept override {
    arena_.execute([this] {
      pool_.schedule(first_);
      pool_.schedule(second_);
      for (unsigned i = 0; i < pushes_; ++i)
        thespis::detail::note_push_to_scheduled(first_);
    });
    return thespis::run_result::idle;
  }

 private:
  thespis::tbb_scheduler& pool_;
  tbb::task_arena& arena_;
  runnable& first_;
  runnable& second_;
  const unsigned pushes_;
};

// Waits until both flags are set, or `patience` has passed; returns whether both were.
bool both_set_within(const std::atomic<bool>& a, const std::atomic<bool>& b,
                     std::chrono::seconds patience) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (!(a.load(std::memory_order_acquire) && b.load(std::memory_order_acquire))) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::yield();
  }
  return true;
}
}  // namespace

// A oneTBB task spawned inside another arena belongs to that arena: one with no worker of its
// own (a task_arena of one slot, kept for the thread that enters it) never runs it, and the
// pool's drain() would wait for it for ever. Runnables scheduled there must still run on the
// pool. (Waits 10 s for them; on failure the pool is leaked, as its drain() would hang.)
TEST_CASE("runnables scheduled from inside the user's own task arena run on the pool") {
  for (const unsigned pushes : {0u, thespis::detail::release_after_pushes}) {
    std::atomic<bool> first_ran{false};
    std::atomic<bool> second_ran{false};
    waiter first(first_ran);
    waiter second(second_ran);
    tbb::task_arena users_arena(1);  // no worker thread: runs only what its caller runs
    auto pool = std::make_unique<thespis::tbb_scheduler>(2, task::activate);
    scheduler_in_foreign_arena start(*pool, users_arena, first, second, pushes);
    pool->schedule(start);
    const bool both_ran = both_set_within(first_ran, second_ran, std::chrono::seconds(10));
    if (!both_ran) (void)pool.release();
    INFO("pushes to the first: " << pushes);
    REQUIRE(both_ran);
    pool->drain();
    CHECK_FALSE(pool->work_waiting());
  }
}

// A pool made inside a oneTBB task (a parallel_for body that builds an actor system, say) must
// not be cancelled with that task's group: oneTBB drops a cancelled group's queued tasks unrun.
// (Waits 10 s for the runnable; on failure the pool is leaked, as its drain() would hang.)
TEST_CASE("a pool made inside a task group that is then cancelled still runs what it is given") {
  std::atomic<bool> first_ran{false};
  std::atomic<bool> second_ran{false};
  waiter first(first_ran);
  waiter second(second_ran);
  std::unique_ptr<thespis::tbb_scheduler> pool;
  tbb::task_group outer;
  outer.run([&] {
    pool = std::make_unique<thespis::tbb_scheduler>(2, task::activate);
    pool->schedule(first);  // the pool's first task: where oneTBB binds a context to its parent
    outer.cancel();
  });
  outer.wait();
  pool->schedule(second);
  const bool both_ran = both_set_within(first_ran, second_ran, std::chrono::seconds(10));
  if (!both_ran) (void)pool.release();
  REQUIRE(both_ran);
}

namespace {
// A runnable with a mailbox, as an actor cell has: fed from outside, scheduled by whoever finds
// it idle, and taking the pool's offer to stay scheduled after an activation that found work.
class fed_task final : public task {
 public:
  struct item {
    item* next = nullptr;
    int seq = 0;
  };
  // Returns true if the push found it idle: the caller must schedule it.
  bool feed(item& i) { return mailbox_.push(&i) == thespis::push_result::unblocked; }
  thespis::run_result run() noexcept override {
    for (int found = 0;;) {
      if (item* i = mailbox_.try_pop()) {
        const int handled = handled_.load(std::memory_order_relaxed);  // written here only
        if (i->seq != handled) ++out_of_order_;
        handled_.store(handled + 1, std::memory_order_release);  // done with the item
        ++found;
      } else if (found != 0 && thespis::detail::keep_open_offered(*this)) {
        ++kept_open_;
        return thespis::run_result::kept_open;
      } else if (mailbox_.try_block()) {
        return thespis::run_result::idle;
      }
    }
  }
  // acquire: pairs with the release in run(), so an item counted as handled may be fed again.
  int handled() const { return handled_.load(std::memory_order_acquire); }
  // Read after the pool drained (which orders them after every run).
  int kept_open() const { return kept_open_; }
  int out_of_order() const { return out_of_order_; }

 private:
  thespis::mpsc_mailbox<item> mailbox_;
  std::atomic<int> handled_{0};
  int kept_open_ = 0;
  int out_of_order_ = 0;
};
}  // namespace

// The offer that spares a thread feeding many actors from outside a schedule per message: a
// runnable kept open must still run again, and must go idle once it finds nothing — else a
// later push would find it "scheduled" and nobody would ever run it. One worker, held while
// the runnables are scheduled: they all wait in the drainers' queue, so the offer is made.
TEST_CASE(
    "runnables woken from outside stay scheduled while others wait, and go idle once they "
    "find nothing") {
  constexpr int count = 64;
  std::deque<fed_task> fed(count);
  std::vector<fed_task::item> first_items(count);
  std::vector<fed_task::item> second_items(count);
  blocker hold;
  thespis::tbb_scheduler pool(1, task::activate);
  pool.schedule(hold);
  hold.wait_entered();
  for (int i = 0; i < count; ++i) {
    first_items[i].seq = 0;
    REQUIRE(fed[i].feed(first_items[i]));
    pool.schedule(fed[i]);  // queued behind the held worker: all wait together
  }
  hold.open();
  pool.drain();
  int kept_open = 0;
  for (auto& f : fed) {
    CHECK(f.handled() == 1);
    kept_open += f.kept_open();
  }
  CHECK(kept_open > 0);  // the offer was made and taken while others waited

  // Drained, every one is idle: the next push finds it so, and it runs again.
  for (int i = 0; i < count; ++i) {
    second_items[i].seq = 1;
    REQUIRE(fed[i].feed(second_items[i]));
    pool.schedule(fed[i]);
  }
  pool.drain();
  for (auto& f : fed) {
    CHECK(f.handled() == 2);
    CHECK(f.out_of_order() == 0);
  }
}

namespace {
// A runnable that always finds work when it runs, as an actor would whose feeder outside the
// pool keeps pace with the workers: it takes every offer to stay scheduled, until `enough` of
// the others have run — or until patience runs out, so that a pool that starves them fails
// the test instead of hanging it.
class always_fed final : public task {
 public:
  always_fed(const std::atomic<int>& others_ran, int enough)
      : others_ran_(others_ran), enough_(enough) {}
  thespis::run_result run() noexcept override {
    if (others_ran_.load(std::memory_order_relaxed) >= enough_) return thespis::run_result::idle;
    if (std::chrono::steady_clock::now() > give_up_) {
      ran_out_of_patience_.store(true, std::memory_order_relaxed);
      return thespis::run_result::idle;
    }
    return thespis::detail::keep_open_offered(*this) ? thespis::run_result::kept_open
                                                     : thespis::run_result::idle;
  }
  bool ran_out_of_patience() const { return ran_out_of_patience_.load(); }

 private:
  const std::atomic<int>& others_ran_;
  const int enough_;
  const std::chrono::steady_clock::time_point give_up_ =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::atomic<bool> ran_out_of_patience_{false};
};
}  // namespace

// Outside schedules that do not fit the drainers' ring wait behind it. Runnables kept open,
// which a feeder keeps finding work for, must not keep the ring full ahead of them for ever.
TEST_CASE(
    "runnables woken from outside that overflowed the drainers' queue run while the ones "
    "in it are kept open") {
  constexpr int in_ring = 1'024;  // the ring's capacity (tbb_scheduler.cpp): these fill it
  constexpr int overflowed = 64;  // and these wait behind it
  std::atomic<int> overflowed_runs{0};
  std::deque<always_fed> busy;
  for (int i = 0; i < in_ring; ++i)
    busy.emplace_back(overflowed_runs, overflowed);
  std::deque<one_shot> waiting;
  for (int i = 0; i < overflowed; ++i)
    waiting.emplace_back(overflowed_runs);
  blocker hold;
  thespis::tbb_scheduler pool(1, task::activate);
  pool.schedule(hold);
  hold.wait_entered();  // the only worker is busy: what follows queues in order
  for (auto& b : busy)
    pool.schedule(b);
  for (auto& w : waiting)
    pool.schedule(w);
  hold.open();
  pool.drain();
  CHECK(overflowed_runs.load() == overflowed);
  bool starved = false;
  for (auto& b : busy)
    starved = starved || b.ran_out_of_patience();
  CHECK_FALSE(starved);
}
