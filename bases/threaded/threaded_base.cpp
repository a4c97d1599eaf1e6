#include "bases/threaded/threaded_base.hpp"

#include <thread>

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
      scheduler_(std::make_unique<tbb_scheduler>(worker_count(this->config()))) {}

threaded_base::~threaded_base() {
  (void)shutdown();
}

void threaded_base::advance_time(std::chrono::nanoseconds delay) {
  std::this_thread::sleep_for(delay);
}

message threaded_base::await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept {
  return slot.wait_for(timeout);
}

void threaded_base::stop(bool clean) noexcept {
  if (clean) {
    scheduler_->drain();
    return;
  }
  // An actor is stuck in a handler: waiting for the pool would hang. Abandon the pool (its
  // threads and the stuck actors leak) so that shutdown returns, as promised.
  (void)scheduler_.release();
}

}  // namespace thespis::detail
