// A gate a test opens, for actors that must hold a worker (in a handler, or in their exit
// handler) until the test has looked at what happens meanwhile. Threaded base only: on the
// simple base a closed gate would hold the test's own thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "core/thespis.hpp"

namespace thespis::test {

struct gate {
  std::mutex mutex;
  std::condition_variable opened_cv;
  bool opened = false;
  bool waited = false;  // someone came to the gate: a test may wait for that, not for a time
  void open() {
    std::lock_guard lock(mutex);
    opened = true;
    opened_cv.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex);
    waited = true;
    opened_cv.wait(lock, [this] { return opened; });
  }
  bool has_waiter() {
    std::lock_guard lock(mutex);
    return waited;
  }
};

// Opens the gate when it goes: should a check fail first, shutdown must not wait for ever.
struct gate_opener {
  std::shared_ptr<gate> g;
  ~gate_opener() { g->open(); }
};

// Holds its exit handler until the gate opens: its parent, asked to exit, waits for it.
class slow_to_exit : public actor {
 public:
  explicit slow_to_exit(std::shared_ptr<gate> g) {
    handle([g](actor_exit_request&) { g->wait(); });
  }
};

}  // namespace thespis::test
