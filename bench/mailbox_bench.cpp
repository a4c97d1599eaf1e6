// mailbox spsc/mpsc/burst: a queue alone, without actors. Producer threads push sequence numbers;
// the benchmark's thread pops them all and checks per-producer FIFO order. In spsc and mpsc the
// consumer races the producers; in burst one producer pushes a backlog of 100k items, then the
// consumer drains it (an actor catching up, as in fork_join), with the nodes one cache line
// apart so that, as with envelopes, each one is a cache miss once the backlog outgrows the cache.
// Rows:
//  - mpsc_mailbox: thespis::mpsc_mailbox, the actors' inbox (a CAS stack whose consumer reverses
//    each detached batch). Its nodes are preallocated once per run and reused, so allocation is
//    not measured (in the system, the node is the envelope the sender allocates anyway);
//  - linked_fifo: the challenger in bench/linked_fifo_mailbox.hpp (a Vyukov-style linked FIFO
//    with the same states: no reversal, but producers write into queued nodes);
//  - mutex_deque: the baseline, std::mutex + std::deque, one item per lock (the deque's own
//    block allocations are part of its cost);
//  - moodycamel: moodycamel::ConcurrentQueue, capacity preallocated. A speed reference only: it
//    orders items per producer *thread*, not across threads, so it is not a valid mailbox (an
//    actor that migrates between workers would see its messages reordered; see mpsc_mailbox.hpp).
#include <concurrentqueue.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/linked_fifo_mailbox.hpp"
#include "mailbox/mpsc_mailbox.hpp"

namespace {

constexpr std::uint64_t items_per_iteration = 1'000'000;  // split evenly among the producers

struct item {
  std::uint64_t seq;
  unsigned producer;
};

// -- the queues under test, behind one shape: make_producer(p).push(seq), try_pop(out) --------

// One node per cache line, like envelopes from the allocator.
struct alignas(64) node {
  node* next = nullptr;
  item value{};
};

template <template <class> class Mailbox>
class mailbox_queue {
 public:
  struct producer {
    void push(std::uint64_t seq) {
      node* n = &nodes[seq];
      n->value = item{seq, index};
      (void)box->push(n);  // open and never closed: always `queued`
    }
    Mailbox<node>* box;
    node* nodes;
    unsigned index;
  };

  mailbox_queue(unsigned producers, std::uint64_t per_producer)
      : nodes_(producers * per_producer), per_producer_(per_producer) {}
  producer make_producer(unsigned p) { return {&box_, &nodes_[p * per_producer_], p}; }
  bool try_pop(item& out) {
    node* n = box_.try_pop();
    if (!n) return false;
    out = n->value;
    return true;
  }

 private:
  std::vector<node> nodes_;
  std::uint64_t per_producer_;
  Mailbox<node> box_{Mailbox<node>::initial_state::open};
};

class mutex_deque_queue {
 public:
  struct producer {
    void push(std::uint64_t seq) {
      std::lock_guard lock(queue->mutex_);
      queue->items_.push_back(item{seq, index});
    }
    mutex_deque_queue* queue;
    unsigned index;
  };

  mutex_deque_queue(unsigned, std::uint64_t) {}
  producer make_producer(unsigned p) { return {this, p}; }
  bool try_pop(item& out) {
    std::lock_guard lock(mutex_);
    if (items_.empty()) return false;
    out = items_.front();
    items_.pop_front();
    return true;
  }

 private:
  std::mutex mutex_;
  std::deque<item> items_;
};

class moodycamel_queue {
 public:
  struct producer {
    void push(std::uint64_t seq) { (void)queue->enqueue(token, item{seq, index}); }
    moodycamel::ConcurrentQueue<item>* queue;
    moodycamel::ProducerToken token;
    unsigned index;
  };

  moodycamel_queue(unsigned producers, std::uint64_t per_producer)
      : queue_(producers * per_producer, producers, 0), consumer_(queue_) {}
  producer make_producer(unsigned p) { return {&queue_, moodycamel::ProducerToken(queue_), p}; }
  bool try_pop(item& out) { return queue_.try_dequeue(consumer_, out); }

 private:
  moodycamel::ConcurrentQueue<item> queue_;
  moodycamel::ConsumerToken consumer_;
};

// -- the workload ---------------------------------------------------------------------------

// Pops `total` items, checking each producer's order. Returns true if all arrived in order;
// false if they did not, or if nothing arrived for 10 s (items were lost).
template <class Queue>
bool consume(Queue& queue, unsigned producers, std::uint64_t total) {
  std::vector<std::uint64_t> next(producers, 0);
  bool in_order = true;
  std::uint64_t received = 0;
  std::uint64_t received_at_check = 0;
  auto last_progress = std::chrono::steady_clock::now();
  while (received < total) {
    item it;
    if (queue.try_pop(it)) {
      in_order = in_order && it.producer < producers && it.seq == next[it.producer]++;
      ++received;
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    if (received != received_at_check) {
      received_at_check = received;
      last_progress = now;
    } else if (now - last_progress > std::chrono::seconds(10)) {
      return false;
    }
    std::this_thread::yield();  // producers may outnumber the free cores
  }
  return in_order;
}

template <class Queue, unsigned Producers>
void mailbox_transfer(benchmark::State& state) {
  constexpr std::uint64_t per_producer = items_per_iteration / Producers;
  Queue queue(Producers, per_producer);
  bench::stopwatch clock;
  for (auto _ : state) {
    std::vector<std::jthread> threads;
    for (unsigned p = 0; p < Producers; ++p) {
      threads.emplace_back([&queue, p] {
        auto producer = queue.make_producer(p);
        for (std::uint64_t seq = 0; seq < per_producer; ++seq)
          producer.push(seq);
      });
    }
    const bool ok = consume(queue, Producers, per_producer * Producers);
    threads.clear();  // joins
    if (!ok) {
      state.SkipWithError("mailbox: items lost or out of per-producer order");
      break;
    }
  }
  bench::report_items(state, per_producer * Producers, "ns_per_item", clock);
}

using thespis_queue = mailbox_queue<thespis::mpsc_mailbox>;
using linked_fifo_queue = mailbox_queue<bench::linked_fifo_mailbox>;

// One producer pushes a backlog, then the consumer drains it; checks FIFO order.
template <class Queue>
void mailbox_burst(benchmark::State& state) {
  constexpr std::uint64_t backlog = 100'000;
  Queue queue(1, backlog);
  bench::stopwatch clock;
  for (auto _ : state) {
    auto producer = queue.make_producer(0);
    for (std::uint64_t seq = 0; seq < backlog; ++seq)
      producer.push(seq);
    if (!consume(queue, 1, backlog)) {
      state.SkipWithError("mailbox: items lost or out of order");
      break;
    }
  }
  bench::report_items(state, backlog, "ns_per_item", clock);
}

BENCHMARK_TEMPLATE(mailbox_transfer, thespis_queue, 1)
    ->Name("mailbox/spsc/mpsc_mailbox")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, linked_fifo_queue, 1)
    ->Name("mailbox/spsc/linked_fifo")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, mutex_deque_queue, 1)
    ->Name("mailbox/spsc/mutex_deque")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, moodycamel_queue, 1)
    ->Name("mailbox/spsc/moodycamel")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, thespis_queue, 2)
    ->Name("mailbox/mpsc/mpsc_mailbox")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, linked_fifo_queue, 2)
    ->Name("mailbox/mpsc/linked_fifo")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, mutex_deque_queue, 2)
    ->Name("mailbox/mpsc/mutex_deque")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_transfer, moodycamel_queue, 2)
    ->Name("mailbox/mpsc/moodycamel")
    ->UseRealTime();

BENCHMARK_TEMPLATE(mailbox_burst, thespis_queue)->Name("mailbox/burst/mpsc_mailbox")->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_burst, linked_fifo_queue)
    ->Name("mailbox/burst/linked_fifo")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_burst, mutex_deque_queue)
    ->Name("mailbox/burst/mutex_deque")
    ->UseRealTime();
BENCHMARK_TEMPLATE(mailbox_burst, moodycamel_queue)
    ->Name("mailbox/burst/moodycamel")
    ->UseRealTime();

}  // namespace
