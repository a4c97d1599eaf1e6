// An actor's inbox: unbounded, lock-free, many producers and one consumer, FIFO in the order
// pushes take effect — so per-sender FIFO holds even when a sender migrates between threads.
//
// Why our own queue and not moodycamel::ConcurrentQueue: moodycamel orders elements only per
// producer *thread* (each thread gets its own sub-queue). An actor that sends m1 on worker A, is
// stolen, and sends m2 on worker B would have m1 and m2 in two sub-queues, and the consumer may
// see m2 first. Here every push is one CAS on a single head pointer: a sender's two pushes are
// ordered by happens-before (the actor cannot run on two threads at once), so their CASes are
// ordered in the head's modification order, and the consumer reads them in that order.
//
// Design (CAF's and Pony's idea of folding the "is the actor scheduled?" bit into the queue):
// producers push onto an intrusive LIFO stack; the consumer detaches the whole stack with one
// exchange and reverses it into a private FIFO cache — a batch dequeue, no per-message RMW.
// Two sentinel values of the head encode states: `blocked` (the consumer is idle: the next push
// must schedule it) and `closed` (the actor is gone: pushes are refused, the caller dead-letters).
// No allocation: nodes are the envelopes themselves (Node must have a `Node* next` member).
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace thespis {

/// What a push did; the sender acts on it. [[nodiscard]]: ignoring it loses messages.
enum class [[nodiscard]] push_result{
    queued,     ///< enqueued; the consumer is already scheduled or running
    unblocked,  ///< enqueued into an idle mailbox: the caller must schedule the consumer
    closed,     ///< refused: the mailbox is closed; the caller still owns the node
};

/// The two halves of an mpsc_mailbox, for an owner that lays them out apart: this is the
/// producers' end (one atomic pointer); the consumer keeps its batch, a `Node*` starting null,
/// and passes it to every consumer call. Why apart: every producer CASes the head and the
/// consumer writes its batch pointer on every pop; on one cache line, a producer and a consumer
/// on two cores hand the line back and forth for every message (the pipeline at 2 workers:
/// 77 -> 32 ns/item once the actor cell kept them apart). mpsc_mailbox keeps them together.
template <class Node>
class mpsc_mailbox_head {
 public:
  /// A mailbox starts `blocked` (its first push schedules the consumer) or `open` (the consumer
  /// is already scheduled and will look).
  enum class initial_state { blocked, open };

  explicit mpsc_mailbox_head(initial_state s = initial_state::blocked) noexcept
      : head_(s == initial_state::blocked ? blocked_tag() : nullptr) {}
  mpsc_mailbox_head(const mpsc_mailbox_head&) = delete;
  mpsc_mailbox_head& operator=(const mpsc_mailbox_head&) = delete;

  // -- producers (thread-safe) -------------------------------------------------------------

  /// Enqueues n. Lock-free: one successful CAS.
  push_result push(Node* n) noexcept {
    // acquire (here and on CAS failure): a push that finds `closed` pairs with the release of
    // close(), so what close() drained happens-before the caller handles its refused node.
    Node* head = head_.load(std::memory_order_acquire);
    for (;;) {
      if (head == closed_tag()) return push_result::closed;
      n->next = head == blocked_tag() ? nullptr : head;
      // acq_rel: the release publishes *n to the consumer's acquire exchange in refill(); the
      // acquire pairs with the release in try_block(), so when this push unblocks the consumer,
      // its previous activation happens-before whatever the caller's scheduling starts.
      if (head_.compare_exchange_weak(head, n, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return head == blocked_tag() ? push_result::unblocked : push_result::queued;
      }
    }
  }

  // -- consumer (the owning actor only; `cache` is its batch, oldest first) ------------------

  /// Returns the oldest node, or nullptr if there is none. Takes every pushed node at once when
  /// the batch runs out.
  Node* try_pop(Node*& cache) noexcept {
    if (!cache && !refill(cache)) return nullptr;
    Node* n = cache;
    cache = n->next;
    return n;
  }

  /// Returns true if there is nothing to pop right now (a racing push may follow at once).
  bool empty(const Node* cache) const noexcept {
    return cache == nullptr && head_.load(std::memory_order_relaxed) == nullptr;
  }

  /// Returns how many nodes are waiting (for status reports; walks the queue, O(n)).
  std::size_t count_pending(Node*& cache) noexcept {
    refill(cache);
    std::size_t n = 0;
    for (Node* node = cache; node != nullptr; node = node->next)
      ++n;
    return n;
  }

  /// Marks the mailbox idle if it is empty: returns true if so, and the next push will report
  /// `unblocked`. Returns false if nodes arrived; the consumer must go on popping.
  bool try_block(const Node* cache) noexcept {
    if (cache) return false;
    Node* expected = nullptr;
    // release: publishes this activation's writes (the actor's state) to the producer whose
    // acq_rel push sees `blocked` and schedules the next activation.
    return head_.compare_exchange_strong(expected, blocked_tag(), std::memory_order_release,
                                         std::memory_order_relaxed);
  }

  /// Closes the mailbox and passes every node still in it, oldest first, to `drain(Node*)`.
  /// Later pushes return `closed`. Returns how many nodes were drained.
  ///
  /// The mailbox closes only once it is empty, after `drain` has seen everything pushed before:
  /// a producer whose push is refused handles its message (e.g. dead-letters it) strictly after
  /// its earlier messages were drained here, so per-sender order holds across the close.
  /// (A producer that never pauses could keep this looping; each round drains its backlog.)
  template <class F>
  std::size_t close(Node*& cache, F&& drain) {
    std::size_t n = 0;
    for (;;) {
      while (Node* node = cache) {
        cache = node->next;
        drain(node);
        ++n;
      }
      Node* head = head_.load(std::memory_order_relaxed);
      if (head == nullptr || head == blocked_tag()) {
        // release: a producer that sees `closed` (acquire in push) also sees every drain above.
        if (head_.compare_exchange_strong(head, closed_tag(), std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
          return n;
        }
        continue;  // a push got in first
      }
      // acquire: pairs with the release of every push, so the detached nodes are complete.
      append_reversed(cache, head_.exchange(nullptr, std::memory_order_acquire));
    }
  }

 private:
  static Node* blocked_tag() noexcept { return reinterpret_cast<Node*>(&blocked_sentinel_); }
  static Node* closed_tag() noexcept { return reinterpret_cast<Node*>(&closed_sentinel_); }

  bool refill(Node*& cache) noexcept {
    // Skip the RMW if empty. Only the consumer sets `blocked`, so it cannot appear after this.
    Node* head = head_.load(std::memory_order_relaxed);
    if (head == nullptr || head == blocked_tag()) return false;
    // acquire: pairs with the release of every push, so the detached nodes are complete.
    Node* stack = head_.exchange(nullptr, std::memory_order_acquire);
    append_reversed(cache, stack);
    return cache != nullptr;
  }

  // Reverses the LIFO stack into FIFO order behind the (empty or draining) batch.
  static void append_reversed(Node*& cache, Node* stack) noexcept {
    Node* fifo = nullptr;
    while (stack) {
      Node* next = stack->next;
      stack->next = fifo;
      fifo = stack;
      stack = next;
    }
    if (!cache) {
      cache = fifo;
      return;
    }
    Node* tail = cache;
    while (tail->next)
      tail = tail->next;
    tail->next = fifo;
  }

  // Sentinels: distinct addresses no real node can have.
  alignas(std::max_align_t) static inline char blocked_sentinel_ = 0;
  alignas(std::max_align_t) static inline char closed_sentinel_ = 0;

  // shared — hot: every producer CASes it, the consumer exchanges it.
  std::atomic<Node*> head_;
};

/// An actor's inbox, both halves in one object (16 bytes). See mpsc_mailbox_head for an owner
/// that keeps them on different cache lines.
template <class Node>
class mpsc_mailbox {
 public:
  using initial_state = typename mpsc_mailbox_head<Node>::initial_state;

  explicit mpsc_mailbox(initial_state s = initial_state::blocked) noexcept : head_(s) {}

  /// Enqueues n (thread-safe). Lock-free: one successful CAS.
  push_result push(Node* n) noexcept { return head_.push(n); }

  // -- consumer (the owning actor only): as in mpsc_mailbox_head ----------------------------
  Node* try_pop() noexcept { return head_.try_pop(cache_); }
  bool empty() const noexcept { return head_.empty(cache_); }
  std::size_t count_pending() noexcept { return head_.count_pending(cache_); }
  bool try_block() noexcept { return head_.try_block(cache_); }
  template <class F>
  std::size_t close(F&& drain) {
    return head_.close(cache_, std::forward<F>(drain));
  }

 private:
  mpsc_mailbox_head<Node> head_;  // shared
  Node* cache_ = nullptr;         // consumer only: the current batch, oldest first
};

}  // namespace thespis
