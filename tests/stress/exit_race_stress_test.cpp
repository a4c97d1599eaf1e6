// Messages racing with their receivers' exits, on 4 workers: senders inside the system and on
// outside threads keep sending while receivers are told to exit at random moments. Each message
// must be handled once or reach dead-letter handling once — never both, never neither — and the
// ones handled must keep their sender's order.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::eventually;

namespace {
constexpr int receivers = 64;
constexpr int actor_senders = 12;
constexpr int outside_senders = 2;
constexpr int senders = actor_senders + outside_senders;
constexpr int per_sender = 6'000;
constexpr int chunk = 40;  // sends per activation before an actor sender re-queues

struct item {
  int sender;
  int seq;
};
int id_of(const item& i) {
  return i.sender * per_sender + i.seq;
}

// What became of each message, written by the test's actors (test-only shared state).
class ledger {
 public:
  ledger() : handled_(senders * per_sender), dead_(senders * per_sender) {}
  void handled(const item& i) { handled_[static_cast<std::size_t>(id_of(i))].fetch_add(1); }
  void dead(const item& i) { dead_[static_cast<std::size_t>(id_of(i))].fetch_add(1); }
  void out_of_order() { out_of_order_.fetch_add(1); }
  void overlap() { overlaps_.fetch_add(1); }

  // Messages with an outcome so far (at most one each, if all is well).
  int settled() const {
    int n = 0;
    for (std::size_t i = 0; i < handled_.size(); ++i)
      n += handled_[i].load() + dead_[i].load();
    return n;
  }
  int handled_count() const {
    int n = 0;
    for (const auto& h : handled_)
      n += h.load();
    return n;
  }
  int settled_twice() const {
    int n = 0;
    for (std::size_t i = 0; i < handled_.size(); ++i)
      n += handled_[i].load() + dead_[i].load() > 1 ? 1 : 0;
    return n;
  }
  int out_of_order_count() const { return out_of_order_.load(); }
  int overlap_count() const { return overlaps_.load(); }

 private:
  std::vector<std::atomic<int>> handled_;
  std::vector<std::atomic<int>> dead_;
  std::atomic<int> out_of_order_{0};
  std::atomic<int> overlaps_{0};
};

class receiver : public thespis::actor {
 public:
  explicit receiver(ledger* book) : book_(book), last_seq_(senders, -1) {
    handle([this](const item& i) {
      if (inside_.exchange(true, std::memory_order_acq_rel)) book_->overlap();
      int& last = last_seq_[static_cast<std::size_t>(i.sender)];
      if (i.seq <= last) book_->out_of_order();
      last = i.seq;
      book_->handled(i);
      inside_.store(false, std::memory_order_release);
    });
  }

 private:
  ledger* const book_;
  std::vector<int> last_seq_;  // per sender
  std::atomic<bool> inside_{false};
};

struct handling_started {};

class dead_letter_office : public thespis::actor {
 public:
  explicit dead_letter_office(ledger* book) : book_(book) {
    handle([this](const handling_started&, const address& from) {
      handle_dead_letters();
      send(from, handling_started{});
    });
    handle([this](const thespis::dead_envelope& d) {
      if (const auto* i = d.original.try_get<item>()) book_->dead(*i);
    });
  }

 private:
  ledger* const book_;
};

struct go {};

// Sends its messages to receivers picked at random, a chunk per activation.
class sender : public thespis::actor {
 public:
  sender(int index, std::vector<address> targets)
      : index_(index), targets_(std::move(targets)), pick_(static_cast<unsigned>(index)) {
    handle([this](const go&) {
      for (int i = 0; i < chunk && seq_ < per_sender; ++i, ++seq_)
        send(targets_[pick_() % targets_.size()], item{index_, seq_});
      if (seq_ < per_sender) send(self(), go{});
    });
  }

 private:
  const int index_;
  const std::vector<address> targets_;
  std::minstd_rand pick_;
  int seq_ = 0;
};
}  // namespace

TEST_CASE(
    "messages racing with their receivers' exits are each handled or a dead letter, exactly once",
    "[stress][exit]") {
  ledger book;
  thespis::actor_system sys{
      thespis::system_config{.base = "threaded", .workers = 4, .message_budget = 16}};
  address office = sys.create_actor<dead_letter_office>(&book);
  REQUIRE(sys.ask<handling_started>(office, handling_started{}, answer_within));
  std::vector<address> targets;
  for (int r = 0; r < receivers; ++r)
    targets.push_back(sys.create_actor<receiver>(&book));

  for (int s = 0; s < actor_senders; ++s)
    sys.tell(sys.create_actor<sender>(s, targets), go{});
  // The outside senders also tell three quarters of the receivers to exit, one every
  // `kill_every` messages, while every sender is sending.
  constexpr int kills_per_thread = receivers * 3 / 4 / outside_senders;
  constexpr int kill_every = per_sender / (kills_per_thread + 1);
  std::vector<std::thread> outside;
  for (int s = actor_senders; s < senders; ++s) {
    outside.emplace_back([&, s] {
      std::minstd_rand pick(static_cast<unsigned>(s));
      int killed = 0;
      for (int seq = 0; seq < per_sender; ++seq) {
        sys.tell(targets[pick() % targets.size()], item{s, seq});
        if (seq % kill_every == kill_every - 1 && killed < kills_per_thread) {
          const int victim = (s - actor_senders) + outside_senders * killed++;
          sys.tell(targets[static_cast<std::size_t>(victim)], thespis::actor_exit_request{});
        }
      }
    });
  }
  for (auto& t : outside)
    t.join();

  constexpr int total = senders * per_sender;
  const bool all_settled = eventually([&] { return book.settled() >= total; });
  INFO("messages with an outcome: " << book.settled() << " of " << total << "; handled "
                                    << book.handled_count());
  CHECK(all_settled);
  CHECK(book.settled_twice() == 0);
  CHECK(book.settled() == total);
  CHECK(book.out_of_order_count() == 0);
  CHECK(book.overlap_count() == 0);
  // Some messages met an exited receiver, some were handled: the race was run, both ways.
  CHECK(book.handled_count() > 0);
  CHECK(book.handled_count() < total);
}
