// The temporary address an outside ask() gives as sender: it catches the first reply.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "core/ask_result.hpp"
#include "core/detail/address_target.hpp"
#include "core/detail/envelope.hpp"
#include "core/message.hpp"

namespace thespis::detail {

class waiting_asks;

/// Holds the first envelope delivered to it; later ones, and any after the asker stopped
/// waiting, go to `reject` (dead-letter handling). Thread-safe.
class reply_slot final : public address_target {
 public:
  using rejecter = std::function<void(envelope*)>;
  reply_slot(address_id id, rejecter reject) : address_target(id), reject_(std::move(reject)) {}

  void deliver(envelope* env) noexcept override;
  bool is_outside_code() const noexcept override { return true; }

  /// Returns the reply if it has arrived, else why not (timed_out if nothing said otherwise),
  /// and closes the slot.
  asked take() noexcept;
  /// Waits up to `timeout` for the reply, then behaves as take(). Returns at once, empty, once
  /// no reply can come (the three calls below). Listed in `blocked` while it blocks (not while
  /// it spins).
  asked wait_for(std::chrono::nanoseconds timeout, waiting_asks& blocked) noexcept;
  /// No reply can come: the request became a dead letter (a dead or null address).
  void sent_message_dead() noexcept override { give_up(ask_failure::dead_letter); }
  /// No reply can come: the receiver dropped the request unhandled.
  void sent_message_unhandled() noexcept override { give_up(ask_failure::unhandled); }
  /// No reply can come: the system shut down.
  void no_reply_after_shutdown() noexcept { give_up(ask_failure::shut_down); }

 private:
  ~reply_slot() override;
  void give_up(ask_failure why) noexcept;
  asked close() noexcept;  // with mutex_ held

  std::mutex mutex_;
  std::condition_variable arrived_;
  envelope* reply_ = nullptr;                     // guarded by mutex_
  bool closed_ = false;                           // guarded by mutex_
  bool given_up_ = false;                         // guarded by mutex_
  ask_failure failure_ = ask_failure::timed_out;  // guarded by mutex_; the first reason given
  // Set once reply_ is (or no reply can come), for the waiter's spin before it blocks.
  std::atomic<bool> replied_{false};
  rejecter reject_;
};

}  // namespace thespis::detail
