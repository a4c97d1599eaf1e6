// A plain-object class that declares troupe limits is a troupe, as an actor subclass is.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "support/bases.hpp"

using namespace std::chrono_literals;
using thespis::address;
using thespis::message_meta;
using thespis::troupe_limits;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct job {
  int n;
};
struct done {
  int n;
  address member;
};

// No Thespis base class: each member of the troupe holds its own plain_worker.
class plain_worker {
 public:
  static constexpr troupe_limits troupe{.max_members = 3, .idle_members = 3};
  static auto handlers() { return thespis::handler_list<&plain_worker::on_job>{}; }

  explicit plain_worker(thespis::context& ctx) : ctx_(ctx) {}
  // Keeps this member for the caller: the troupe hands it no new work, so the next call
  // needs another member.
  address hold() {
    ctx_.troupe_work_in_progress(true);
    return ctx_.self();
  }
  int count() { return ++calls_; }
  void on_job(const job& j, const message_meta& meta) {
    ctx_.send(meta.sender, done{j.n, ctx_.self()});
  }

 private:
  thespis::context& ctx_;
  int calls_ = 0;
};

// Its members wait, for a while, until two of them are inside at once.
class plain_rendezvous {
 public:
  static constexpr troupe_limits troupe{.max_members = 2, .idle_members = 2};
  plain_rendezvous(thespis::context& ctx, std::shared_ptr<std::atomic<int>> inside)
      : ctx_(ctx), inside_(std::move(inside)) {}
  void meet(const message_meta& meta) {
    ++*inside_;
    const auto give_up = std::chrono::steady_clock::now() + 2s;
    while (*inside_ < 2 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(1ms);
    ctx_.send(meta.sender, *inside_ >= 2);
  }

 private:
  thespis::context& ctx_;
  std::shared_ptr<std::atomic<int>> inside_;
};

struct get_pool {};
// Creates a plain_worker troupe as its supervised child.
class pool_parent : public thespis::actor {
 public:
  pool_parent() {
    address pool = create_actor<plain_worker>(thespis::supervision{}).address();
    handle([this, pool](const get_pool&, const address& from) { send(from, pool); });
  }
};

// Returns the members that answer three holds through `pool`: three, if it is a troupe.
std::set<address> members_held(const thespis::actor_ref<plain_worker>& pool) {
  std::set<address> members;
  for (int i = 0; i < 3; ++i)
    members.insert(pool.ask(&plain_worker::hold, answer_within));
  return members;
}
}  // namespace

TEMPLATE_TEST_CASE(
    "a plain class declaring troupe limits is a troupe whose members run its methods",
    "[plain-object][troupe]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto pool = sys.template create_actor<plain_worker>();
  auto members = members_held(pool);
  CHECK(members.size() == 3);
  CHECK_FALSE(members.contains(pool.address()));
  for (const auto& m : members)  // each member has its own object
    CHECK(sys.template ref<plain_worker>(m).ask(&plain_worker::count, answer_within) == 1);
}

TEMPLATE_TEST_CASE("a plain troupe's listed handlers run on its members, which reply to the sender",
                   "[plain-object][troupe]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address pool = sys.template create_actor<plain_worker>().address();
  for (int i = 0; i < 20; ++i)
    sys.tell(pool, job{i});
  std::set<int> answered;
  std::set<address> members;
  for (int i = 0; i < 20; ++i) {
    auto reply = sys.listen(answer_within);
    REQUIRE(reply);
    auto& d = reply->template get<done>();
    CHECK(answered.insert(d.n).second);  // exactly once
    members.insert(d.member);
  }
  CHECK(members.size() <= 3);
  CHECK_FALSE(members.contains(pool));
}

TEST_CASE("plain troupe members on the threaded base run its methods concurrently",
          "[plain-object][troupe]") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  auto pool = sys.create_actor<plain_rendezvous>(std::make_shared<std::atomic<int>>(0));
  pool.tell(&plain_rendezvous::meet);
  pool.tell(&plain_rendezvous::meet);
  for (int i = 0; i < 2; ++i) {
    auto met = sys.listen(answer_within);
    REQUIRE(met);
    CHECK(met->get<bool>());
  }
}

TEMPLATE_TEST_CASE("a plain troupe class created by id is a troupe reached by that id",
                   "[plain-object][troupe][by-id]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  auto created = sys.template create_with_id<plain_worker>("pool");
  auto members = members_held(sys.template by_id<plain_worker>("pool"));
  CHECK(members.size() == 3);
  CHECK_FALSE(members.contains(created.address()));
}

TEMPLATE_TEST_CASE("a plain troupe class created with supervision is a troupe too",
                   "[plain-object][troupe][supervision]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  address parent = sys.template create_actor<pool_parent>();
  auto pool = sys.template ask<address>(parent, get_pool{}, answer_within);
  REQUIRE(pool);
  auto members = members_held(sys.template ref<plain_worker>(*pool));
  CHECK(members.size() == 3);
  CHECK_FALSE(members.contains(*pool));
}
