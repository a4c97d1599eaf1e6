// Send by id under load on the threaded base: several outside threads and several actors send to
// many ids whose actors are created on demand and retire after a millisecond idle, so messages
// keep racing with spawns and retirements. Each (sender, id) stream must arrive complete, once
// and in order, across every incarnation of the id, with no dead letter.
#include <catch2/catch.hpp>

#include <cereal/types/map.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;

namespace {
constexpr int outside_senders = 3;
constexpr int actor_senders = 3;
constexpr int ids = 40;
constexpr int per_stream = 1000;  // messages per (sender, id)

// What one id has seen: per sender, the next number it expects, and the faults.
struct stream_log {
  std::map<int, int> next;  // sender -> next expected number
  int faults = 0;           // a number out of order, repeated or missing
  template <class Archive>
  void serialize(Archive& archive) {
    archive(next, faults);
  }
};

class user_agent {
 public:
  using thespis_keep_state_on_retire = void;
  user_agent(thespis::context& ctx, std::shared_ptr<std::atomic<int>> incarnations) {
    ctx.retire_when_idle_for(std::chrono::milliseconds(1));
    incarnations->fetch_add(1, std::memory_order_relaxed);
  }
  void note(int sender, int n) {
    int& expected = log_.next[sender];
    if (n != expected) ++log_.faults;
    expected = n + 1;
  }
  stream_log log() const { return log_; }
  template <class Archive>
  void serialize(Archive& archive) {
    archive(log_);
  }

 private:
  stream_log log_;
};

class director : public thespis::actor {
 public:
  explicit director(std::shared_ptr<std::atomic<int>> incarnations)
      : incarnations_(std::move(incarnations)) {
    direct<user_agent>();
    handle([this](thespis::spawn_request& r) { create_for<user_agent>(r, incarnations_); });
  }

 private:
  std::shared_ptr<std::atomic<int>> incarnations_;
};

struct start {
  int sender;
};

// Sends its streams in slices, re-queueing itself between slices (so it moves between workers).
class sending_actor : public thespis::actor {
 public:
  sending_actor() {
    handle([this](const start& s, const address& from) {
      sender_ = s.sender;
      reporter_ = from;
      send(self(), 0);
    });
    handle([this](int n) {
      for (int id = 0; id < ids; ++id)
        by_id<user_agent>("user" + std::to_string(id)).tell(&user_agent::note, sender_, n);
      if (n + 1 < per_stream) {
        send(self(), n + 1);
      } else {
        send(reporter_, true);
      }
    });
  }

 private:
  int sender_ = 0;
  address reporter_;
};
}  // namespace

TEST_CASE("messages by id racing with spawns and retirements arrive complete and in order",
          "[stress][by-id]") {
  auto config = thespis::test::config_for<thespis::test::threaded_base>();
  config.workers = 4;
  thespis::actor_system sys{config};
  auto incarnations = std::make_shared<std::atomic<int>>(0);
  sys.create_actor<director>(incarnations);
  for (int s = 0; s < actor_senders; ++s)
    sys.tell(sys.create_actor<sending_actor>(), start{outside_senders + s});
  std::vector<std::thread> threads;
  for (int s = 0; s < outside_senders; ++s) {
    threads.emplace_back([&sys, s] {
      for (int n = 0; n < per_stream; ++n) {
        for (int id = 0; id < ids; ++id)
          sys.by_id<user_agent>("user" + std::to_string(id)).tell(&user_agent::note, s, n);
        if (n % 50 == 49) std::this_thread::sleep_for(std::chrono::milliseconds(3));  // retire
      }
    });
  }
  for (auto& t : threads)
    t.join();
  for (int s = 0; s < actor_senders; ++s) {
    auto done = sys.listen(answer_within);
    REQUIRE(done);
  }
  for (int id = 0; id < ids; ++id) {
    const auto log =
        sys.by_id<user_agent>("user" + std::to_string(id)).ask(&user_agent::log, answer_within);
    CHECK(log.faults == 0);
    REQUIRE(log.next.size() == outside_senders + actor_senders);
    for (const auto& [sender, next] : log.next)
      CHECK(next == per_stream);
  }
  CHECK(incarnations->load() > ids);  // ids retired and came back
  CHECK(sys.dead_letter_count() == 0);
}
