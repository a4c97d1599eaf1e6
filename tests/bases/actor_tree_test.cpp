// Behaviour every base must show for parents, children and how actors end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/bases.hpp"

using thespis::actor_exit_request;
using thespis::address;
using thespis::child_actor_exited;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
// A thread-safe list of what happened, in order.
struct journal {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard lock(mutex);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return lines;
  }
};

struct make_child {
  std::string name;
};
struct make_broken_child {};
struct get_parent {};
struct exits_seen_request {};
struct tell_child {
  int value;
};
struct stop_not_recursively {};

class node : public thespis::actor {
 public:
  node(std::shared_ptr<journal> log, std::string name) : log_(std::move(log)), name_(name) {
    handle([this](const make_child& m, const address& from) {
      auto child = create_actor<node>(log_, m.name);
      children_.push_back(child);
      send(from, child);
    });
    handle([this](const make_broken_child&, const address& from) {
      auto child = create_actor<broken>();
      for (int i = 0; i < 3; ++i)
        send(child, i);
      send(from, child);
    });
    handle([this](const get_parent&, const address& from) { send(from, parent()); });
    handle([this](const child_actor_exited& e) {
      ++exits_seen_;
      log_->add(name_ + " saw child exit");
      exited_.push_back(e.child);
    });
    handle([this](const exits_seen_request&, const address& from) { send(from, exits_seen_); });
    handle([this](const stop_not_recursively&) { send(self(), actor_exit_request{false}); });
    handle([this](actor_exit_request& r) {
      log_->add(name_ + " exit handler");
      if (name_ == "stubborn") r.not_recursive();
    });
  }
  ~node() override { log_->add(name_ + " destroyed"); }

  class broken : public thespis::actor {
   public:
    broken() { throw std::runtime_error("no"); }
  };

 private:
  std::shared_ptr<journal> log_;
  std::string name_;
  std::vector<address> children_, exited_;
  int exits_seen_ = 0;
};

int index_of(const std::vector<std::string>& lines, const std::string& line) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == line) return static_cast<int>(i);
  }
  return -1;
}
}  // namespace

TEMPLATE_TEST_CASE("an actor created by an actor has it as parent, and outside ones have none",
                   "[tree]", THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("root"));
  auto child = sys.template ask<address>(root, make_child{"child"}, answer_within);
  REQUIRE(child);
  CHECK(sys.template ask<address>(*child, get_parent{}, answer_within) == root);
  CHECK(sys.template ask<address>(root, get_parent{}, answer_within) == address{});
}

TEMPLATE_TEST_CASE("an exit request reaches the children after the parent's handler returns",
                   "[tree]", THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("root"));
  auto child = sys.template ask<address>(root, make_child{"child"}, answer_within);
  REQUIRE(child);
  auto grandchild = sys.template ask<address>(*child, make_child{"grandchild"}, answer_within);
  REQUIRE(grandchild);
  sys.tell(root, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  auto lines = log->snapshot();
  CHECK(index_of(lines, "root exit handler") < index_of(lines, "child exit handler"));
  CHECK(index_of(lines, "child exit handler") < index_of(lines, "grandchild exit handler"));
  // Each parent hears of its child exactly once, before it is itself destroyed.
  CHECK(index_of(lines, "child saw child exit") < index_of(lines, "child destroyed"));
  CHECK(index_of(lines, "root saw child exit") < index_of(lines, "root destroyed"));
  CHECK(std::count(lines.begin(), lines.end(), "root saw child exit") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "child saw child exit") == 1);
}

TEMPLATE_TEST_CASE("a parent hears exactly once that its child exited", "[tree]", THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("root"));
  auto child = sys.template ask<address>(root, make_child{"child"}, answer_within);
  REQUIRE(child);
  sys.tell(*child, actor_exit_request{});
  sys.tell(*child, actor_exit_request{});  // a second request to a gone actor changes nothing
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  // The root handles everything sent to it before its own exit, and a child's exit even then:
  // after shutdown, any duplicate notice would be in the journal.
  REQUIRE(sys.shutdown().clean());
  const auto lines = log->snapshot();
  CHECK(std::count(lines.begin(), lines.end(), "root saw child exit") == 1);
}

TEMPLATE_TEST_CASE("a child whose constructor throws is reported to its parent, its mail dead",
                   "[tree]", THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("root"));
  auto child = sys.template ask<address>(root, make_broken_child{}, answer_within);
  REQUIRE(child);
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK(sys.template ask<int>(root, exits_seen_request{}, answer_within) == 1);
  CHECK(eventually([&] { return sys.dead_letter_count() == 3; }));
  REQUIRE(sys.shutdown().clean());
  const auto lines = log->snapshot();
  CHECK(std::count(lines.begin(), lines.end(), "root saw child exit") == 1);
}

namespace {
// Makes `children` nodes, then throws: creating it fails.
class fails_after_making_children : public thespis::actor {
 public:
  fails_after_making_children(std::shared_ptr<journal> log, int children) {
    for (int i = 0; i < children; ++i)
      create_actor<node>(log, "orphan " + std::to_string(i));
    throw std::runtime_error("constructor failed after making children");
  }
};

// Makes a child, and makes another each time one exits — also while it exits itself, when
// the runtime refuses. Counts the refusals.
class replaces_its_children : public thespis::actor {
 public:
  explicit replaces_its_children(std::shared_ptr<std::atomic<int>> refused)
      : refused_(std::move(refused)) {
    create_actor<node>(std::make_shared<journal>(), std::string("first"));
    handle([this](const child_actor_exited&) {
      try {
        create_actor<node>(std::make_shared<journal>(), std::string("replacement"));
      } catch (const std::logic_error&) {
        ++*refused_;
      }
    });
  }

 private:
  std::shared_ptr<std::atomic<int>> refused_;
};
}  // namespace

TEMPLATE_TEST_CASE("an actor whose constructor throws takes the children it made along", "[tree]",
                   THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  CHECK_THROWS(sys.template create_actor<fails_after_making_children>(log, 3));
  // Nobody has their addresses: left alive, they would be top-level actors for good.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  const auto lines = log->snapshot();
  for (int i = 0; i < 3; ++i)
    CHECK(index_of(lines, "orphan " + std::to_string(i) + " destroyed") >= 0);
  CHECK(sys.dead_letter_count() == 0);  // no exit notice to the parent that never was
}

TEMPLATE_TEST_CASE("an exiting actor that replaces its exited child is refused and still exits",
                   "[tree]", THESPIS_BASES) {
  auto refused = std::make_shared<std::atomic<int>>(0);
  thespis::actor_system sys{config_for<TestType>()};
  address keeper = sys.template create_actor<replaces_its_children>(refused);
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2; }));
  sys.tell(keeper, actor_exit_request{});
  // Its child exits first; the new child its handler asks for would be one it waits for.
  REQUIRE(eventually([&] { return sys.live_actor_count() == 0; }));
  CHECK(*refused == 1);
}

TEMPLATE_TEST_CASE("a non-recursive exit leaves the children alive as top-level actors", "[tree]",
                   THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("stubborn"));
  auto child = sys.template ask<address>(root, make_child{"child"}, answer_within);
  REQUIRE(child);
  sys.tell(root, actor_exit_request{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 1; }));
  CHECK(sys.template ask<address>(*child, get_parent{}, answer_within) == address{});
  sys.shutdown();  // still stopped by shutdown
  CHECK(index_of(log->snapshot(), "child exit handler") >= 0);
}

TEMPLATE_TEST_CASE("a child that sends itself an exit request ends, and its parent hears it once",
                   "[tree]", THESPIS_BASES) {
  auto log = std::make_shared<journal>();
  thespis::actor_system sys{config_for<TestType>()};
  address root = sys.template create_actor<node>(log, std::string("root"));
  auto middle = sys.template ask<address>(root, make_child{"middle"}, answer_within);
  REQUIRE(middle);
  auto grandchild = sys.template ask<address>(*middle, make_child{"grandchild"}, answer_within);
  REQUIRE(grandchild);
  sys.tell(*middle, stop_not_recursively{});
  REQUIRE(eventually([&] { return sys.live_actor_count() == 2; }));  // root and grandchild
  CHECK(index_of(log->snapshot(), "middle destroyed") >= 0);
  CHECK(sys.template ask<address>(*grandchild, get_parent{}, answer_within) == address{});
  REQUIRE(sys.shutdown().clean());
  const auto lines = log->snapshot();
  CHECK(std::count(lines.begin(), lines.end(), "root saw child exit") == 1);
  // The grandchild was left alive as a top-level actor: its exit was nobody's child's.
  CHECK(std::count(lines.begin(), lines.end(), "middle saw child exit") == 0);
}
