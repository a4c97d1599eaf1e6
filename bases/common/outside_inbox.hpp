// The address outside code sends from: replies to its tells wait here until listen() takes them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "core/detail/address_target.hpp"
#include "core/detail/envelope.hpp"
#include "core/message.hpp"

namespace thespis::detail {

/// Returns false for system messages that must never reach outside code (child_actor_exited,
/// dead_envelope, actor_exit_request, wakeups). poison_message and status replies do reach it.
bool reaches_outside(const envelope& env) noexcept;

/// A FIFO of messages for outside code. Messages outside code must not see go to `reject`.
/// Thread-safe.
class outside_inbox final : public address_target {
 public:
  using rejecter = std::function<void(envelope*)>;
  outside_inbox(address_id id, rejecter reject) : address_target(id), reject_(std::move(reject)) {}

  void deliver(envelope* env) noexcept override;
  bool is_outside_code() const noexcept override { return true; }

  /// Returns the oldest message, waiting up to `timeout` for one; empty on timeout.
  message take(std::chrono::nanoseconds timeout) noexcept;

  /// Nothing can arrive any more (a clean shutdown): take() returns what is queued, and then
  /// empty at once instead of waiting.
  void stop_waiting() noexcept;

  /// Drops every queued message (at shutdown).
  void clear() noexcept;

 private:
  ~outside_inbox() override { clear(); }

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<envelope*> queue_;  // guarded by mutex_
  bool stopped_ = false;         // guarded by mutex_
  rejecter reject_;
};

}  // namespace thespis::detail
