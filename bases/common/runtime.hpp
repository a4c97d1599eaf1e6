// What the in-process bases share: the registry of live actors and global names, spawning, dead
// letters, ask and shutdown. A base adds only how cells run (its scheduler) and how the caller
// waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bases/common/actor_cell.hpp"
#include "core/detail/ref_counted.hpp"
#include "core/detail/system_base.hpp"
#include "scheduler/timer_service.hpp"

namespace thespis::detail {

class reply_slot;
class outside_inbox;

/// The body of an in-process actor system. Thread-safe unless a base says otherwise.
class runtime : public system_base {
 public:
  explicit runtime(system_config config);
  ~runtime() override;

  // -- system_base ---------------------------------------------------------------------------
  address spawn(std::unique_ptr<actor_factory> factory) override;
  address spawn_named(std::string name, std::unique_ptr<actor_factory> factory) override;
  void tell(const address& to, envelope* env) override;
  message ask(const address& to, envelope* env, std::chrono::nanoseconds timeout) override;
  message listen(std::chrono::nanoseconds timeout) override;
  bool shutdown() noexcept override;
  const system_config& config() const noexcept override { return config_; }
  std::uint64_t dead_letter_count() const noexcept override {
    return dead_letters_.load(std::memory_order_relaxed);
  }
  std::size_t live_actor_count() const override;
  system_status status() const override;
  capability_map capabilities() const override;
  void update_capability(std::string name, std::optional<capability_value> value) override;

  // -- for actor cells -----------------------------------------------------------------------
  /// Makes a ready cell run. Called when its mailbox unblocks.
  virtual void schedule(actor_cell& cell) noexcept = 0;
  /// Creates a child of `parent` that its first activation will build.
  address spawn_child(std::unique_ptr<actor_factory> factory, address parent);
  /// Returns the actor named `name`, or creates a top-level one that its first activation builds.
  address spawn_named_child(std::string name, std::unique_ptr<actor_factory> factory);
  /// Takes a message that could not be delivered to `to`: hands it to the dead-letter handler
  /// wrapped in a dead_envelope, or counts and drops it.
  void dead_letter(envelope* env, const address& to) noexcept;
  /// Registers (start) or deregisters `cell` as the dead-letter handler.
  void set_dead_letter_handler(actor_cell& cell, bool start);
  /// Removes an exited cell from the registry, its name, and its dead-letter role.
  void forget(actor_cell& cell) noexcept;
  /// Returns the system's one timer facility.
  virtual timer_service& timers() noexcept = 0;
  unsigned message_budget() const noexcept { return config_.message_budget; }
  /// Returns the sender of outside tells: a cell shows it to the actor as the sender of an
  /// envelope whose sender is null. Thread-safe: set at construction.
  const address& outside_sender() const noexcept { return inbox_address_; }

 protected:
  /// Runs whatever the last outside call caused, if the base runs work on the caller's thread.
  virtual void settle() noexcept = 0;
  /// How long listen() may wait: the simple base never waits (everything has run).
  virtual std::chrono::nanoseconds listen_wait(std::chrono::nanoseconds timeout) const noexcept {
    return timeout;
  }
  /// Returns true if outside tells wait on back-pressure (not on the simple base, which runs
  /// every tell to quiet anyway).
  virtual bool outside_tells_wait() const noexcept { return true; }
  /// Waits for the reply an ask expects.
  virtual message await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept = 0;
  /// Stops running cells: waits for the scheduler if `clean`, else abandons what is stuck.
  virtual void stop(bool clean) noexcept = 0;

 private:
  enum class start_mode { now, on_worker };

  address_id next_id() noexcept;
  intrusive_ptr<actor_cell> register_cell(std::unique_ptr<actor_factory>& factory, address parent,
                                          std::string name, address* existing);
  address start(intrusive_ptr<actor_cell> cell, start_mode mode);
  void ensure_running() const;
  std::vector<intrusive_ptr<actor_cell>> cells_to_ask_to_exit();
  bool await_exits(std::chrono::steady_clock::time_point deadline);
  void report_stuck_actors();
  void wait_until_drained(address_target& target, const address& to);

  // set at construction
  const system_config config_;
  const std::uint64_t node_;

  // shared
  std::atomic<std::uint64_t> next_local_{1};
  std::atomic<std::uint64_t> dead_letters_{0};
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> clean_{true};       // every actor exited in time
  intrusive_ptr<outside_inbox> inbox_;  // the sender of outside tells
  address inbox_address_;

  // guarded by mutex_
  mutable std::mutex mutex_;
  std::condition_variable registry_changed_;
  std::unordered_map<std::uint64_t, intrusive_ptr<actor_cell>> live_;
  std::unordered_map<std::string, address> names_;
  std::uint64_t registrations_ = 0;
  address dead_letter_handler_;
  capability_map capabilities_;
};

}  // namespace thespis::detail
