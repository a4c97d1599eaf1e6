// The threaded base under load: 1,100 actors, 10^6 messages, senders that migrate between
// workers mid-stream. Nothing may be lost or duplicated, each sender's messages must arrive in
// order, and no actor may ever be entered by two threads at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;

namespace {
constexpr int receivers = 1000;
constexpr int senders = 100;
constexpr int messages_per_sender = 10'000;  // 100 x 10,000 = 10^6
constexpr int chunk = 50;                    // sends per activation before a sender re-queues

struct item {
  int sender;
  std::uint64_t seq;  // per (sender, receiver) pair
};
struct tally_request {};
struct tally {
  std::uint64_t received = 0, out_of_order = 0, duplicates = 0, overlaps = 0;
};
struct go {};

// Flags a second thread entering the same actor. Relaxed would do for the flag itself; acq_rel
// keeps the check honest should the runtime's own ordering ever break.
class entry_guard {
 public:
  explicit entry_guard(std::atomic<bool>& inside, std::uint64_t& overlaps) : inside_(inside) {
    if (inside_.exchange(true, std::memory_order_acq_rel)) ++overlaps;
  }
  ~entry_guard() { inside_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool>& inside_;
};

class receiver : public thespis::actor {
 public:
  receiver() : next_(senders, 0) {
    handle([this](const item& m) {
      entry_guard guard(inside_, tally_.overlaps);
      auto& want = next_[m.sender];
      if (m.seq < want) ++tally_.duplicates;
      if (m.seq != want) ++tally_.out_of_order;
      want = m.seq + 1;
      ++tally_.received;
    });
    handle([this](const tally_request&, const address& from) { send(from, tally_); });
  }

 private:
  std::atomic<bool> inside_{false};
  std::vector<std::uint64_t> next_;
  tally tally_;
};

// Sends its messages in chunks; between chunks it re-queues itself with a message to itself, so
// the next chunk may run on another worker (recorded in `threads`).
class sender : public thespis::actor {
 public:
  sender(int index, std::vector<address> targets, std::latch* done, std::mutex* threads_mutex,
         std::set<std::thread::id>* threads, std::atomic<std::uint64_t>* overlaps)
      : index_(index),
        targets_(std::move(targets)),
        seq_(targets_.size(), 0),
        done_(done),
        threads_mutex_(threads_mutex),
        threads_(threads),
        overlaps_(overlaps) {
    handle([this](const go&) { send_chunk(); });
  }

 private:
  void send_chunk() {
    // The senders are the actors that move between workers: none may run on two at once.
    std::uint64_t overlapped = 0;
    {
      entry_guard guard(inside_, overlapped);
      {
        std::lock_guard lock(*threads_mutex_);
        threads_->insert(std::this_thread::get_id());
      }
      for (int i = 0; i < chunk && sent_ < messages_per_sender; ++i, ++sent_) {
        const std::size_t to = static_cast<std::size_t>(sent_ + index_) % targets_.size();
        send(targets_[to], item{index_, seq_[to]++});
      }
    }
    if (overlapped != 0) overlaps_->fetch_add(overlapped, std::memory_order_relaxed);
    if (sent_ < messages_per_sender) {
      send(self(), go{});
    } else {
      done_->count_down();  // after the count above: the test reads it once all are done
    }
  }

  const int index_;
  std::vector<address> targets_;
  std::vector<std::uint64_t> seq_;
  int sent_ = 0;
  std::latch* done_;
  std::mutex* threads_mutex_;
  std::set<std::thread::id>* threads_;
  std::atomic<std::uint64_t>* overlaps_;
  std::atomic<bool> inside_{false};
};

// Asks every receiver for its tally and adds them up.
tally sum_of_tallies(thespis::actor_system& sys, const std::vector<address>& receivers) {
  tally total;
  for (const auto& r : receivers) {
    auto t = sys.ask<tally>(r, tally_request{}, answer_within);
    REQUIRE(t);
    total.received += t->received;
    total.out_of_order += t->out_of_order;
    total.duplicates += t->duplicates;
    total.overlaps += t->overlaps;
  }
  return total;
}
}  // namespace

TEST_CASE("a million messages among 1,100 actors on 4 workers arrive complete, once, in order") {
  // Four workers on any machine, and a small budget, so actors yield and migrate often.
  thespis::actor_system sys{
      thespis::system_config{.base = "threaded", .workers = 4, .message_budget = 16}};
  std::vector<address> targets;
  for (int i = 0; i < receivers; ++i)
    targets.push_back(sys.create_actor<receiver>());

  std::latch done(senders);
  std::mutex threads_mutex;
  std::vector<std::set<std::thread::id>> threads(senders);
  std::atomic<std::uint64_t> sender_overlaps{0};
  std::vector<address> sources;
  for (int s = 0; s < senders; ++s) {
    sources.push_back(
        sys.create_actor<sender>(s, targets, &done, &threads_mutex, &threads[s], &sender_overlaps));
  }
  for (auto& s : sources)
    sys.tell(s, go{});
  done.wait();

  const tally total = sum_of_tallies(sys, targets);
  CHECK(total.received == std::uint64_t{senders} * messages_per_sender);
  CHECK(total.duplicates == 0);
  CHECK(total.out_of_order == 0);
  CHECK(total.overlaps == 0);
  CHECK(sender_overlaps.load() == 0);
  CHECK(sys.dead_letter_count() == 0);

  int migrated = 0;
  for (auto& t : threads)
    migrated += t.size() > 1 ? 1 : 0;
  INFO("senders that ran on more than one worker: " << migrated);
  CHECK(migrated > 0);  // the order check above ran while senders moved between threads
}

// Threads outside the system feeding actors one message each in turn (fork_join's pattern): an
// actor woken from outside stays scheduled while more may come, so most messages are plain
// pushes to an actor some worker will look at again. None may be lost on the way into or out
// of that state, nor handled twice, out of order, or on two threads at once.
TEST_CASE(
    "messages from threads outside the system, fed to many actors in turn, arrive complete, "
    "once, in order") {
  constexpr int feeders = 3;
  constexpr int fed_actors = 64;
  constexpr int rounds = 2'000;  // 3 x 64 x 2,000 = 384,000 messages
  thespis::actor_system sys{thespis::system_config{.base = "threaded", .workers = 2}};
  std::vector<address> targets;
  for (int i = 0; i < fed_actors; ++i)
    targets.push_back(sys.create_actor<receiver>());

  std::vector<std::thread> threads;
  for (int f = 0; f < feeders; ++f) {
    threads.emplace_back([&, f] {
      for (std::uint64_t seq = 0; seq < rounds; ++seq) {
        for (const auto& t : targets)
          sys.tell(t, item{f, seq});
      }
    });
  }
  for (auto& th : threads)
    th.join();

  const tally total = sum_of_tallies(sys, targets);
  CHECK(total.received == std::uint64_t{feeders} * fed_actors * rounds);
  CHECK(total.duplicates == 0);
  CHECK(total.out_of_order == 0);
  CHECK(total.overlaps == 0);
  CHECK(sys.dead_letter_count() == 0);
}
