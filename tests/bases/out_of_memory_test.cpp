// Running out of memory in the id directory: the mail is dead-lettered, nothing deadlocks or
// aborts. A binary of its own because it replaces the global operator new to fail on request,
// which a sanitizer's runtime defines itself: it is built only without sanitizers (the README's
// test command runs it).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "core/detail/handler_table.hpp"
#include "core/detail/make_envelope.hpp"
#include "support/bases.hpp"
#include "support/log_capture.hpp"
#include "support/on_destroy.hpp"

using thespis::spawn_request;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;
using thespis::test::on_destroy;

// -- allocation faults ---------------------------------------------------------------------------
// This binary's operator new fails on request, so that a test can run the runtime out of memory
// at one chosen allocation: the nth allocation of a given size that the arming thread makes.

namespace {
struct allocation_fault {
  std::size_t size = 0;
  int countdown = 0;
};
thread_local allocation_fault armed_fault;
std::atomic<bool> fault_fired{false};

void* allocate(std::size_t size) {
  if (armed_fault.countdown > 0 && size == armed_fault.size && --armed_fault.countdown == 0) {
    armed_fault = {};
    fault_fired.store(true);
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* allocate(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
}  // namespace

// Every form that pairs with the replaced ones is replaced too: a sanitizer would report memory
// from malloc() freed by its own operator delete.
void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t& tag) noexcept {
  return allocate(size, tag);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return allocate(size, tag);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace {
// Exits with one message for its own id unread, so that its retirement asks the director for
// the id's next actor. Given a fault n, it arms it on its way out: the nth copy of its id made
// on that thread afterwards (the copies of the key that the request carries) fails.
class quitter {
 public:
  quitter(thespis::context& ctx, std::string id, int fault)
      : ctx_(ctx), id_(std::move(id)), fault_(fault) {}
  void dispose() {
    if (fault_ > 0) armed_fault = {id_.size() + 1, fault_};
  }

  void quit() {
    ctx_.exit();
    ctx_.by_id<quitter>(id_).tell(&quitter::ping);  // behind the exit request: never read
  }
  bool ping() const { return true; }

 private:
  thespis::context& ctx_;
  std::string id_;
  int fault_;
};

class quitter_director : public thespis::actor {
 public:
  explicit quitter_director(int fault) {
    direct<quitter>();
    handle([this, fault](spawn_request& r) mutable {
      create_for<quitter>(r, r.id, std::exchange(fault, 0));
    });
  }
};
}  // namespace

TEMPLATE_TEST_CASE(
    "running out of memory while asking a director for an id's next actor makes its mail dead "
    "letters",
    "[by-id][retire]", THESPIS_BASES) {
  const int fault = GENERATE(1, 2);  // the request's ticket, then the request itself
  fault_fired.store(false);
  thespis::actor_system sys{config_for<TestType>()};
  sys.template create_actor<quitter_director>(fault);
  const std::string id(333, 'q');  // an allocation size that only its copies have
  auto quitter_ref = sys.template by_id<quitter>(id);
  quitter_ref.tell(&quitter::quit);
  CHECK(eventually([&] { return sys.dead_letter_count() == 1; }));  // the unread ping
  CHECK(fault_fired.load());
  CHECK(quitter_ref.ask(&quitter::ping, answer_within));  // the id still works
}

// A handler switch whose installing runs out of memory fails that message; the handlers held
// back for it are dropped — and so is one that a dropped handler's capture registers as it is
// destroyed. Before, the drop destroyed them inside the list's own erase, and the registration
// grew the list under it (reallocating the buffer being destroyed): the handler leaked, or the
// heap was corrupted.
TEST_CASE(
    "a handler switch that runs out of memory drops what it held back, and what that held "
    "back as it went",
    "[dispatch]") {
  using thespis::detail::handler_table;
  auto captured = std::make_shared<int>(0);  // held by the handler registered while dropping
  handler_table table;
  handler_table other;  // its entry makes the list's sizes differ from this table's reserve
  {
    auto guard = std::make_shared<on_destroy>(
        [&table, captured] { table.add([captured](double) {}, true); });
    table.add([guard](int) {}, true);
  }
  other.add([](char) {}, true);
  armed_fault = {handler_table::held_back_entry_bytes(), 1};  // the room for this table's one
  fault_fired.store(false);
  CHECK_THROWS_AS(table.install_added(), std::bad_alloc);
  CHECK(fault_fired.load());
  armed_fault = {};
  CHECK(captured.use_count() == 1);  // the double handler was destroyed, not leaked
  table.install_added();             // nothing of this table's is left to install
  thespis::message d(thespis::detail::make_envelope(thespis::address{}, 1.0));
  CHECK_FALSE(table.dispatch(d, thespis::address{}));
  other.install_added();  // the other table's entry is untouched
  thespis::message c(thespis::detail::make_envelope(thespis::address{}, 'c'));
  CHECK(other.dispatch(c, thespis::address{}));
}

namespace {
struct switch_and_count {};
struct count_request {};
// Counts its messages; the first one switches to a handler that counts apart, and arms a fault
// on the room the thread's list of held-back handlers takes for that switch: the second
// allocation of that size (the first is a sort's scratch buffer, which falls back without it).
class switching_counter : public thespis::actor {
 public:
  switching_counter() {
    handle([this](switch_and_count) {
      ++old_handler_runs_;
      handle([this](switch_and_count) { ++new_handler_runs_; });
      armed_fault = {thespis::detail::handler_table::held_back_entry_bytes(), 2};
    });
    handle([this](count_request, const thespis::address& from) {
      armed_fault = {};  // not left for a later allocation on this thread, had it not fired
      send(from, std::pair{old_handler_runs_, new_handler_runs_});
    });
  }

 private:
  int old_handler_runs_ = 0;
  int new_handler_runs_ = 0;
};
}  // namespace

// The handler ran, and only the switch it asked for failed: the message is not run again (it
// was: a retry, on the handlers the failed switch left), the actor goes on with its handlers,
// and the failure is logged.
TEMPLATE_TEST_CASE(
    "a message whose handler switch runs out of memory is handled once and the failure logged",
    "[dispatch]", THESPIS_BASES) {
  fault_fired.store(false);
  thespis::test::log_capture logged;
  thespis::system_config config;
  config.log_to = logged.sink();
  config.workers = 1;  // the fault is armed per thread: the counter's messages all run on one
  thespis::actor_system sys{config_for<TestType>(config)};
  const thespis::address counter = sys.template create_actor<switching_counter>();
  sys.tell(counter, switch_and_count{});
  const auto runs = sys.template ask<std::pair<int, int>>(counter, count_request{}, answer_within);
  REQUIRE(runs);
  CHECK(fault_fired.load());
  CHECK(runs->first == 1);   // handled once, by the handler that asked for the switch
  CHECK(runs->second == 0);  // the switch did not happen
  bool reported = false;
  for (const auto& r : logged.records())
    reported = reported || (r.level == thespis::log_level::error &&
                            r.text.find("could not be installed") != std::string::npos);
  CHECK(reported);
}
