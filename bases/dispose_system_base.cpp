// Frees shut-down bases, waiting in the background for any whose actors are still running.
#include <atomic>
#include <system_error>
#include <thread>

#include "core/detail/system_base.hpp"

namespace thespis::detail {

namespace {
std::atomic<std::size_t> abandoned{0};  // bases waiting for their actors on a background thread
}  // namespace

void dispose_system_base(std::unique_ptr<system_base> base) noexcept {
  if (base->live_actor_count() == 0) return;  // the common case: freed here, at once
  // An actor stuck in a handler will touch its cell, the registry and the pool when it returns,
  // so the base must outlive it; the caller must not wait for it (shutdown never hangs). A
  // detached thread keeps the base reachable and frees it once the last actor has exited; if
  // a handler never returns, the base lives until the process ends.
  // The count is statistics only, hence relaxed.
  abandoned.fetch_add(1, std::memory_order_relaxed);
  system_base* waiting = base.release();  // owned by the thread below, or kept if none starts
  try {
    std::thread([waiting] {
      waiting->wait_until_all_exited();
      delete waiting;
      abandoned.fetch_sub(1, std::memory_order_relaxed);
    }).detach();
  } catch (const std::system_error&) {
    // No thread to wait with: the base stays allocated for the rest of the process.
  }
}

std::size_t abandoned_system_count() noexcept {
  return abandoned.load(std::memory_order_relaxed);
}

}  // namespace thespis::detail
