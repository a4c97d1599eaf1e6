// The sender address an actor's request<R>(to, msg, timeout) gives its message: it turns the
// first message sent back to it into the request's reply, in the asking actor.
#pragma once

#include <atomic>
#include <cstdint>
#include <typeinfo>

#include "core/address.hpp"
#include "core/detail/address_target.hpp"

namespace thespis::detail {

class runtime;

/// Delivers the first envelope it gets to `asker` as a call_reply for `request`: its value if
/// it is of the `expected` type, else the error reading it as one (bad_message_cast, with a
/// poison message's error when the asked handler failed). Later envelopes are dead letters: the
/// request was answered. If the request itself became a dead letter, the asker hears
/// invalid_actor_address at once. Thread-safe.
class reply_forwarder final : public address_target {
 public:
  reply_forwarder(address_id id, runtime& rt, address asker, std::uint64_t request,
                  const std::type_info& expected) noexcept
      : address_target(id),
        runtime_(rt),
        asker_(std::move(asker)),
        request_(request),
        expected_(expected) {}

  /// The asking actor (set at construction: thread-safe).
  const address* stands_for() const noexcept override { return &asker_; }

  void deliver(envelope* env) noexcept override;
  void sent_message_dead() noexcept override;
  void sent_message_unhandled() noexcept override;

 private:
  // Tells the asker, once, that no answer can come: invalid_actor_address with `why`.
  void no_answer(const char* why) noexcept;
  // Delivers the reply (`value` or `error`) to the asker.
  void answer(envelope* value, std::exception_ptr error, bool from_system) noexcept;

  runtime& runtime_;
  const address asker_;
  const std::uint64_t request_;
  const std::type_info& expected_;
  // relaxed: only its exchange matters, which picks the one envelope that answers; the reply's
  // contents reach the asker through its mailbox's push, not through this flag.
  std::atomic<bool> answered_{false};
};

}  // namespace thespis::detail
