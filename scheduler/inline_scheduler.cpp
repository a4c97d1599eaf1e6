#include "scheduler/inline_scheduler.hpp"

#include <utility>

namespace thespis {

inline_scheduler::~inline_scheduler() = default;

void inline_scheduler::schedule(runnable& r) noexcept {
  ready_.push_back(&r);
}

void inline_scheduler::drain() noexcept {
  if (std::exchange(draining_, true)) return;
  while (!ready_.empty()) {
    runnable* r = ready_.front();
    ready_.pop_front();
    if (run_(*r) == run_result::yielded) ready_.push_back(r);  // kept_open: never offered here
  }
  draining_ = false;
}

}  // namespace thespis
