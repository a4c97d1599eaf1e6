// A challenger to mailbox/mpsc_mailbox.hpp, kept as a row of bench/mailbox_bench.cpp: an
// intrusive linked FIFO (the family of Vyukov's MPSC queue and Pony's messageq) with the same
// interface and states, so the consumer walks each node once instead of reversing a detached
// stack. Measured here (see README), it lost in the actor workloads: a producer writes `next`
// into the node the consumer has just read (a cache line that bounces per message), and the
// consumer's last pop is a CAS on the head the producers hammer, so a consumer racing a producer
// (fork_join, counting) paid more than the reversal it saved. The stack hands the consumer whole
// batches that no producer touches again.
//
// Design: a producer swings the head to its node, then links the previous head's `next` to it;
// the consumer walks the chain oldest first. The head word holds the address of
// the newest `next` field: a node's, or the mailbox's own stub link when the queue is empty. To
// hand out the last node, the consumer CASes the head from that node back to the stub (as in an MCS
// lock's release), so no producer will write into a node that has left. The head word encodes
// two more states:
//  - `blocked`: the stub's address with bit 0 set — the queue is empty and the consumer idle:
//    the push that replaces it must schedule the consumer (Pony's `was_empty`);
//  - `closed`: the constant 2 — pushes are refused and the caller dead-letters.
// Producers CAS rather than exchange so that `closed` stays put: an exchange would overwrite it,
// and the next producer could not tell that the mailbox had closed.
//
// Between a producer's CAS and its link the consumer sees the new node but cannot reach it yet:
// try_pop() returns nullptr and try_block() refuses, so the consumer retries (the window is two
// instructions, unless the producer is preempted there).
//
// No allocation: nodes are the envelopes themselves. Node must have a `Node* next` member; the
// mailbox accesses it through std::atomic_ref while the node is queued.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "mailbox/mpsc_mailbox.hpp"  // push_result

namespace bench {

using thespis::push_result;

template <class Node>
class linked_fifo_mailbox {
 public:
  /// A mailbox starts `blocked` (its first push schedules the consumer) or `open` (the consumer
  /// is already scheduled and will look).
  enum class initial_state { blocked, open };

  explicit linked_fifo_mailbox(initial_state s = initial_state::blocked) noexcept
      : head_(stub_word() | (s == initial_state::blocked ? blocked_bit : 0)) {}
  linked_fifo_mailbox(const linked_fifo_mailbox&) = delete;
  linked_fifo_mailbox& operator=(const linked_fifo_mailbox&) = delete;

  // -- producers (thread-safe) -------------------------------------------------------------

  /// Enqueues n. One successful CAS and one store.
  push_result push(Node* n) noexcept {
    n->next = nullptr;  // published by the release CAS below, before anyone can reach n
    // acquire (here and on CAS failure): a push that finds `closed` pairs with the release CAS
    // in close(), so what close() drained happens-before the caller handles its refused node.
    std::uintptr_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      if (head == closed_word) return push_result::closed;
      // acq_rel: the acquire pairs with the release in try_block() (so when this push unblocks
      // the consumer, its previous activation happens-before whatever the caller schedules)
      // and with the release CAS in detach_last() (its reset of the stub link happens before
      // our link store below). The release publishes n->next = nullptr to the next push.
      if (head_.compare_exchange_weak(head, word_of(&n->next), std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        break;
      }
    }
    // release: publishes *n to the consumer's acquire load of this link in try_pop().
    link(head & ~blocked_bit).store(n, std::memory_order_release);
    return (head & blocked_bit) != 0 ? push_result::unblocked : push_result::queued;
  }

  // -- consumer (the owning actor only) -----------------------------------------------------

  /// Returns the oldest node, or nullptr if there is none yet (a push may be half done: then
  /// try_block() refuses, and the consumer should try again).
  Node* try_pop() noexcept {
    if (tail_ == nullptr) {
      // acquire: pairs with the release link store in push().
      tail_ = link(stub_word()).load(std::memory_order_acquire);
      if (tail_ == nullptr) return nullptr;
    }
    Node* n = tail_;
    // acquire: pairs with the release link store in push().
    tail_ = link(word_of(&n->next)).load(std::memory_order_acquire);
    if (tail_ == nullptr && !detach_last(n)) {
      tail_ = n;  // a push is linking behind n: n goes out once its link is there
      return nullptr;
    }
    return n;
  }

  /// Returns true if there is nothing to pop right now (a racing push may follow at once).
  bool empty() const noexcept {
    return tail_ == nullptr &&
           (head_.load(std::memory_order_relaxed) & ~blocked_bit) == stub_word();
  }

  /// Returns how many nodes are waiting (for status reports; walks the queue, O(n)).
  std::size_t count_pending() noexcept {
    std::size_t count = 0;
    // acquire (each load): pairs with the release link store in push().
    Node* n = tail_ != nullptr ? tail_ : link(stub_word()).load(std::memory_order_acquire);
    for (; n != nullptr; n = link(word_of(&n->next)).load(std::memory_order_acquire))
      ++count;
    return count;
  }

  /// Marks the mailbox idle if it is empty: returns true if so, and the next push will report
  /// `unblocked`. Returns false if nodes arrived; the consumer must go on popping.
  bool try_block() noexcept {
    if (tail_ != nullptr) return false;
    std::uintptr_t expected = stub_word();
    // release: publishes this activation's writes (the actor's state) to the producer whose
    // acq_rel CAS sees `blocked` and schedules the next activation.
    return head_.compare_exchange_strong(expected, stub_word() | blocked_bit,
                                         std::memory_order_release, std::memory_order_relaxed);
  }

  /// Closes the mailbox and passes every node still in it, oldest first, to `drain(Node*)`.
  /// Later pushes return `closed`. Returns how many nodes were drained.
  ///
  /// The mailbox closes only once it is empty, after `drain` has seen everything pushed before:
  /// a producer whose push is refused handles its message (e.g. dead-letters it) strictly after
  /// its earlier messages were drained here, so per-sender order holds across the close.
  /// (A producer that never pauses could keep this looping; each round drains its backlog.)
  template <class F>
  std::size_t close(F&& drain) {
    std::size_t n = 0;
    for (;;) {
      while (Node* node = try_pop()) {
        drain(node);
        ++n;
      }
      std::uintptr_t head = head_.load(std::memory_order_relaxed);
      if (tail_ != nullptr || (head & ~blocked_bit) != stub_word()) continue;  // a push links
      // release: pairs with the acquire in push(): a producer that sees `closed` also sees
      // every drain above.
      if (head_.compare_exchange_strong(head, closed_word, std::memory_order_release,
                                        std::memory_order_relaxed)) {
        return n;
      }
    }
  }

 private:
  static constexpr std::uintptr_t blocked_bit = 1;
  static constexpr std::uintptr_t closed_word = 2;  // no link field lives at address 2

  static std::uintptr_t word_of(Node* const* field) noexcept {
    return reinterpret_cast<std::uintptr_t>(field);
  }
  static std::atomic_ref<Node*> link(std::uintptr_t word) noexcept {
    return std::atomic_ref<Node*>(*reinterpret_cast<Node**>(word));
  }
  std::uintptr_t stub_word() const noexcept { return word_of(&stub_); }
  // n is the newest node we can see: swings the head back to the stub, so no producer will
  // write into n once it has left. Returns false if a push got behind n first (then its link
  // store into n is on its way).
  bool detach_last(Node* n) noexcept {
    // The stub is behind us (tail_ passed it), so no producer is writing its link now.
    link(stub_word()).store(nullptr, std::memory_order_relaxed);
    std::uintptr_t expected = word_of(&n->next);
    // release: pairs with the acquire CAS of the next push, which finds the stub and must see
    // the reset above before its link store. Only the consumer blocks or closes, so the head is
    // open here.
    return head_.compare_exchange_strong(expected, stub_word(), std::memory_order_release,
                                         std::memory_order_relaxed);
  }

  // shared — hot: every producer CASes it; the consumer CASes it to detach the last node and
  // to block. No padding: a mailbox per actor must stay small (24 bytes).
  std::atomic<std::uintptr_t> head_;
  // consumer only: the oldest node not yet handed out, or nullptr: then the stub link says.
  Node* tail_ = nullptr;
  // The stub link, the `next` of an empty queue: written by the producer that pushes into an
  // empty queue, read and reset by the consumer.
  Node* stub_ = nullptr;
};

}  // namespace bench
