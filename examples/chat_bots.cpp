// The Calculon essay's chat-bot service: a Bot (the chat connection), one UserAgent per user —
// created on demand by id the first time anything is sent to that user, retired when idle,
// created again (with its kept state) when traffic returns — and a MessageQueue that user
// actions are published to. None of the three classes derives from a Thespis class.
//
// A synthetic load: every user comes online, says something, and is sent a welcome; all go
// quiet and retire; then a tenth of them get a second message, which brings their agents back.
// Prints what happened and checks every count. Usage: example_chat_bots [users] (100,000).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <thespis/thespis.hpp>

using namespace std::chrono_literals;

struct service_stats {
  std::atomic<long> agents_created{0};
  std::atomic<long> agents_retired{0};
};

// The chat connection: delivers messages to users (here: counts them).
class bot {
 public:
  void deliver(const std::string& user, const std::string& text) {
    (void)user;
    (void)text;
    ++delivered_;
  }
  long delivered() const { return delivered_; }

 private:
  long delivered_ = 0;
};

// The store-and-forward queue that user actions go to (here: counts them).
class message_queue {
 public:
  void publish(const std::string& user, const std::string& event) {
    (void)user;
    (void)event;
    ++published_;
  }
  long published() const { return published_; }

 private:
  long published_ = 0;
};

// One per user id: presence, and messages held until the user can receive them. Its state
// survives retirement (cereal), so a returning user finds their history.
class user_agent {
 public:
  using thespis_keep_state_on_retire = void;

  user_agent(thespis::context& ctx, std::string id, std::shared_ptr<service_stats> stats)
      : ctx_(ctx), id_(std::move(id)), stats_(std::move(stats)) {
    stats_->agents_created.fetch_add(1, std::memory_order_relaxed);
    ctx_.retire_when_idle_for(50ms);
  }
  void dispose() { stats_->agents_retired.fetch_add(1, std::memory_order_relaxed); }

  void presence(bool online) {
    online_ = online;
    if (!online_) return;
    for (auto& text : held_)
      ctx_.by_type<bot>().tell(&bot::deliver, id_, text);
    held_.clear();
  }
  void from_user(const std::string& text) {
    ++said_;
    ctx_.by_type<message_queue>().tell(&message_queue::publish, id_, text);
  }
  void to_user(const std::string& text) {
    if (online_) {
      ctx_.by_type<bot>().tell(&bot::deliver, id_, text);
    } else {
      held_.push_back(text);
    }
  }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(online_, said_, held_);
  }

 private:
  thespis::context& ctx_;
  std::string id_;
  std::shared_ptr<service_stats> stats_;
  bool online_ = false;
  long said_ = 0;
  std::vector<std::string> held_;
};

// Brings user agents into existence when a message arrives for a user that has none.
class agent_director : public thespis::actor {
 public:
  explicit agent_director(std::shared_ptr<service_stats> stats) : stats_(std::move(stats)) {
    direct<user_agent>();
    handle([this](thespis::spawn_request& request) {
      create_for<user_agent>(request, request.id, stats_);
    });
  }

 private:
  std::shared_ptr<service_stats> stats_;
};

int main(int argc, char** argv) {
  const long users = argc > 1 ? std::atol(argv[1]) : 100'000;
  const long returning = users / 10;
  auto stats = std::make_shared<service_stats>();
  thespis::actor_system sys;
  auto the_bot = sys.create_with_id<bot>("");
  auto queue = sys.create_with_id<message_queue>("");
  sys.create_actor<agent_director>(stats);

  const auto start = std::chrono::steady_clock::now();
  auto user = [](long i) { return "user" + std::to_string(i) + "@example.org"; };
  for (long i = 0; i < users; ++i) {
    auto agent = sys.by_id<user_agent>(user(i));
    agent.tell(&user_agent::presence, true);
    agent.tell(&user_agent::from_user, std::string("hello"));
    agent.tell(&user_agent::to_user, std::string("welcome"));
  }
  // Everyone goes quiet: the agents retire (their state kept) once idle.
  while (stats->agents_retired.load() < users || sys.live_actor_count() > 3)
    sys.advance_time(20ms);
  const long live_after_quiet = static_cast<long>(sys.live_actor_count());
  // A tenth come back: their agents are created again, online still, and get the message.
  for (long i = 0; i < returning; ++i) {
    sys.by_id<user_agent>(user(i)).tell(&user_agent::to_user, std::string("welcome back"));
  }
  const long expected_delivered = users + returning;
  const long delivered = [&] {
    for (;;) {
      const long d = the_bot.ask(&bot::delivered, 30s);
      if (d >= expected_delivered) return d;
      sys.advance_time(1ms);
    }
  }();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long published = queue.ask(&message_queue::published, 30s);
  const long created = stats->agents_created.load();

  std::cout << "users:                " << users << '\n'
            << "agents created:       " << created << " (" << users << " on demand, "
            << created - users << " respawned)\n"
            << "agents retired:       " << stats->agents_retired.load() << '\n'
            << "live after the quiet: " << live_after_quiet << " (bot, queue, director)\n"
            << "messages delivered:   " << delivered << '\n'
            << "events published:     " << published << '\n'
            << "dead letters:         " << sys.dead_letter_count() << '\n'
            << "time:                 " << seconds << " s\n";
  const bool ok = created == users + returning && delivered == expected_delivered &&
                  published == users && live_after_quiet == 3 && sys.dead_letter_count() == 0;
  std::cout << (ok ? "all counts as expected\n" : "UNEXPECTED COUNTS\n");
  return ok ? 0 : 1;
}
