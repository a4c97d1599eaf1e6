// Running out of memory in the id directory: the mail is dead-lettered, nothing deadlocks or
// aborts. A binary of its own because it replaces the global operator new to fail on request,
// which a sanitizer's runtime defines itself: it is built only without sanitizers (the README's
// test command runs it).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>

#include "support/bases.hpp"

using thespis::spawn_request;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

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
