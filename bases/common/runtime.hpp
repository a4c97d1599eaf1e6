// What the in-process bases share: the registry of live actors and global names, spawning, dead
// letters, ask and shutdown. A base adds only how cells run (its scheduler) and how the caller
// waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bases/common/actor_cell.hpp"
#include "bases/common/id_directory.hpp"
#include "bases/common/live_registry.hpp"
#include "bases/common/waiting_asks.hpp"
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
  asked ask(const destination& to, envelope* env, std::chrono::nanoseconds timeout) override;
  message listen(std::chrono::nanoseconds timeout) override;
  shutdown_report shutdown() noexcept override;
  void wait_until_all_exited() noexcept override;
  const system_config& config() const noexcept override { return config_; }
  bool mailbox_limited() const noexcept { return config_.mailbox_limit > 0; }
  std::uint64_t dead_letter_count() const noexcept override {
    return dead_letters_.load(std::memory_order_relaxed);
  }
  std::size_t live_actor_count() const override;
  system_status status() const override;
  capability_map capabilities() const override;
  void update_capability(std::string name, std::optional<capability_value> value) override;
  address spawn_with_id(const std::type_info& type, std::string id,
                        std::unique_ptr<actor_factory> factory) override;
  void set_director(const std::type_info& type, address director) override;

  // -- send_port: typed references made by outside code --------------------------------------
  void post(const destination& to, envelope* env) override;
  std::uint64_t next_request() noexcept override {
    return next_request_.fetch_add(1, std::memory_order_relaxed);
  }
  /// The number the next request will get: above every request the calling thread has made.
  /// Relaxed: the thread's own fetch_adds come before this load in the counter's order.
  std::uint64_t next_request_number() const noexcept {
    return next_request_.load(std::memory_order_relaxed);
  }
  void expect_reply(std::uint64_t request, std::chrono::nanoseconds timeout,
                    std::function<void(call_reply&)> resume) override;
  /// A fresh address whose first message becomes `asker`'s reply to `request` (see
  /// reply_forwarder): the sender of an actor's plain-message request.
  address reply_forwarder_for(address asker, std::uint64_t request, const std::type_info& expected);

  // -- for actor cells -----------------------------------------------------------------------
  /// Makes a ready cell run. Called when its mailbox unblocks.
  virtual void schedule(actor_cell& cell) noexcept = 0;
  /// Creates a child of `parent` that its first activation will build.
  address spawn_child(std::unique_ptr<actor_factory> factory, address parent);
  /// Returns the actor named `name`, or creates a top-level one that its first activation builds.
  address spawn_named_child(std::string name, std::unique_ptr<actor_factory> factory);
  /// Takes a message that could not be delivered to `to`: hands it to the dead-letter handler
  /// wrapped in a dead_envelope, or counts and drops it. A sender waiting for an answer to it
  /// hears at once: an outside ask returns nothing, a method call's asker gets an
  /// invalid_actor_address error.
  void dead_letter(envelope* env, const address& to) noexcept;
  /// Counts a message an actor had no handler for (see actor::unhandled). relaxed: a statistic.
  void count_unhandled() noexcept { unhandled_.fetch_add(1, std::memory_order_relaxed); }
  /// True the first time an actor of class `actor_type` was given a message of `message_type`
  /// it had no handler for (that one is logged, later ones only counted).
  bool first_unhandled(const std::type_info& actor_type, const std::type_info& message_type);
  /// Registers (start) or deregisters `cell` as the dead-letter handler.
  void set_dead_letter_handler(actor_cell& cell, bool start);
  /// Removes an exited cell from the registry, its name, and its dead-letter role.
  void forget(actor_cell& cell) noexcept;
  /// Frees the global name of `cell`, which is exiting (its exit handler has run): a create
  /// with that name makes a new actor from now on.
  void free_name(const actor_cell& cell) noexcept;
  /// Creates a top-level actor bound to `key` (for `request`, if a director answers one),
  /// unless one is live. `now`: built on this thread (outside callers), else on a worker.
  address spawn_for_id(const id_key& key, std::unique_ptr<actor_factory> factory,
                       spawn_request* request, bool now);
  /// Routing by (class, id).
  id_directory& ids() noexcept { return *ids_; }
  /// Delivers env to `to`, or dead-letters it.
  void deliver_or_dead_letter(const address& to, envelope* env) noexcept;
  /// Like dead_letter, for mail sent by id that no actor took.
  void dead_letter_for_id(envelope* env, const std::string& id) noexcept;
  /// True once shutdown began: ids are no longer respawned.
  bool stopping() const noexcept { return shutting_down_.load(std::memory_order_relaxed); }
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
  /// True if the calling thread runs one of this system's actors right now.
  virtual bool in_activation() const noexcept = 0;
  /// Waits for the reply an ask expects (or why none can come).
  virtual asked await_reply(reply_slot& slot, std::chrono::nanoseconds timeout) noexcept = 0;
  /// Outside asks blocked on their reply, for a shutdown to end when no reply can come.
  waiting_asks& blocked_asks() noexcept { return blocked_asks_; }
  /// Stops running cells: waits for the scheduler if `clean`, else abandons what is stuck.
  virtual void stop(bool clean) noexcept = 0;

 private:
  address take_name_of(const actor_cell& cell) noexcept;  // guarded by mutex_
  enum class start_mode { now, on_worker };

  address_id next_id() noexcept;
  intrusive_ptr<actor_cell> register_cell(std::unique_ptr<actor_factory>& factory, address parent,
                                          std::string name, address* existing,
                                          const id_key* key = nullptr);
  address start(intrusive_ptr<actor_cell> cell, start_mode mode);
  void ensure_running() const;
  std::vector<intrusive_ptr<actor_cell>> cells_to_ask_to_exit();
  bool ask_remaining_to_exit(std::uint64_t& seen);
  void notify_registry_changed(bool registered) noexcept;
  bool await_exits(std::uint64_t seen, std::chrono::steady_clock::time_point deadline);
  shutdown_report unfinished_actors() const;
  shutdown_report start_shutdown_from_inside() noexcept;
  void log_unfinished(const shutdown_report& report) const noexcept;
  bool tell_waiting(const address& to, envelope* env, std::chrono::nanoseconds wait);
  bool post_by_id_waiting(const destination& to, envelope* env, std::chrono::nanoseconds wait);
  asked send_and_await(const destination& to, envelope* env, reply_slot& slot,
                       std::chrono::nanoseconds timeout);
  bool wait_until_drained(address_target& target, const std::string& where,
                          std::chrono::nanoseconds wait);
  void dead_letter(envelope* env, const address& to, std::string id) noexcept;
  void tell_sender_undelivered(const envelope& env, const address& to,
                               const std::string& id) noexcept;

  // set at construction
  const system_config config_;
  const std::uint32_t node_;

  // shared
  // Its own cache line: every creation increments it, and every exit on any worker reads the
  // flags below (shutting_down_): sharing a line cost a cross-core miss per actor created
  // (half of register_cell's time in fork_join_creation).
  alignas(64) std::atomic<std::uint64_t> next_local_{1};
  alignas(64) std::atomic<std::uint64_t> dead_letters_{0};
  std::atomic<std::uint64_t> unhandled_{0};  // rare, as dead letters are: their line
  // guarded by unhandled_mutex_: (actor class, message type) pairs already logged as unhandled
  std::mutex unhandled_mutex_;
  std::set<std::pair<std::type_index, std::type_index>> unhandled_logged_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> stopped_{false};
  intrusive_ptr<outside_inbox> inbox_;  // the sender of outside tells
  address inbox_address_;
  std::atomic<std::uint64_t> next_request_{1};
  std::shared_ptr<id_directory> ids_;
  waiting_asks blocked_asks_;

  // guarded by shutdown_mutex_: the first shutdown's outcome, returned by later calls
  std::mutex shutdown_mutex_;
  std::optional<shutdown_report> shutdown_report_;

  live_registry live_;  // every live cell (its own locks)

  // guarded by changes_mutex_: how shutdown waits for the registry to change (see
  // notify_registry_changed)
  std::mutex changes_mutex_;
  std::condition_variable registry_changed_;
  std::uint64_t registrations_ = 0;  // counted only while shutting down

  // guarded by mutex_ (taken before a live_registry shard's lock, never after one)
  mutable std::mutex mutex_;
  std::unordered_map<std::string, address> names_;
  address dead_letter_handler_;
  capability_map capabilities_;
};

}  // namespace thespis::detail
