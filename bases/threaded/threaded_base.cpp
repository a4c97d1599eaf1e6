#include "bases/threaded/threaded_base.hpp"

#include <thread>

#include "bases/common/actor_cell.hpp"
#include "bases/common/reply_slot.hpp"

namespace thespis::detail {

namespace {
unsigned worker_count(const system_config& config) {
  if (config.workers > 0) return config.workers;
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? hardware : 1;
}
}  // namespace

threaded_base::threaded_base(system_config config)
    : runtime(std::move(config)),
      scheduler_(
          std::make_unique<tbb_scheduler>(worker_count(this->config()), actor_cell::activate)) {}

threaded_base::~threaded_base() {
  (void)shutdown();
}

void threaded_base::advance_time(std::chrono::nanoseconds delay) {
  std::this_thread::sleep_for(delay);
}

asked threaded_base::await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept {
  return slot.wait_for(timeout, blocked_asks());
}

void threaded_base::stop(bool clean) noexcept {
  // With an actor stuck in a handler, waiting for the pool would hang: shutdown returns, and
  // the pool drains when the base is freed (dispose_system_base waits for the actors first).
  if (clean) scheduler_->drain();
}

}  // namespace thespis::detail
