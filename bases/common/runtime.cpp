#include "bases/common/runtime.hpp"

#include <iostream>

#include "bases/common/reply_slot.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"
#include "core/system_messages.hpp"

namespace thespis::detail {

namespace {
std::atomic<std::uint64_t> next_node{1};  // one number per system in this process

system_config with_standard_capabilities(system_config config) {
  config.capabilities["thespis.version"] = std::string("0.1.0");
  config.capabilities["thespis.base"] = config.base;
  return config;
}
}  // namespace

runtime::runtime(system_config config)
    : config_(with_standard_capabilities(std::move(config))),
      node_(next_node.fetch_add(1, std::memory_order_relaxed)) {}

runtime::~runtime() = default;

address_id runtime::next_id() noexcept {
  return {node_, next_local_.fetch_add(1, std::memory_order_relaxed)};
}

intrusive_ptr<actor_cell> runtime::register_cell(std::unique_ptr<actor_factory> factory) {
  auto cell =
      intrusive_ptr<actor_cell>::adopt(new actor_cell(*this, next_id(), std::move(factory)));
  std::lock_guard lock(mutex_);
  live_.emplace(cell->id().local, cell);
  ++registrations_;
  registry_changed_.notify_all();
  return cell;
}

address runtime::spawn(std::unique_ptr<actor_factory> factory) {
  if (stopped_.load(std::memory_order_relaxed)) {
    throw system_shut_down("create_actor on a system that has been shut down");
  }
  auto cell = register_cell(std::move(factory));
  try {
    cell->construct();
  } catch (...) {
    forget(*cell);
    throw;
  }
  // The constructor ran here, so no activation exists yet and we may act as the consumer: an
  // empty mailbox goes idle (the first message schedules it), else it runs what it was sent.
  if (!cell->try_idle()) {
    schedule(*cell);
    settle();
  }
  return address_access::make(std::move(cell));
}

address runtime::spawn_child(std::unique_ptr<actor_factory> factory) {
  auto cell = register_cell(std::move(factory));
  schedule(*cell);  // its first activation builds it
  return address_access::make(std::move(cell));
}

void runtime::tell(const address& to, envelope* env) {
  if (auto* target = address_access::target(to)) {
    target->deliver(env);
  } else {
    dead_letter(env);
  }
  settle();
}

message runtime::ask(const address& to, envelope* env, std::chrono::nanoseconds timeout) {
  auto slot = intrusive_ptr<reply_slot>::adopt(
      new reply_slot(next_id(), [this](envelope* late) { dead_letter(late); }));
  env->sender = address_access::make(slot);
  tell(to, env);
  return await_reply(*slot, timeout);
}

void runtime::dead_letter(envelope* env) noexcept {
  dead_letters_.fetch_add(1, std::memory_order_relaxed);
  delete env;
}

void runtime::forget(actor_cell& cell) noexcept {
  intrusive_ptr<actor_cell> last;  // released outside the lock
  std::lock_guard lock(mutex_);
  if (auto it = live_.find(cell.id().local); it != live_.end()) {
    last = std::move(it->second);
    live_.erase(it);
  }
  registry_changed_.notify_all();
}

std::size_t runtime::live_actor_count() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

std::vector<intrusive_ptr<actor_cell>> runtime::cells_to_ask_to_exit() {
  std::vector<intrusive_ptr<actor_cell>> cells;
  std::lock_guard lock(mutex_);
  for (auto& [id, cell] : live_) {
    if (cell->mark_exit_requested()) cells.push_back(cell);
  }
  return cells;
}

// Waits until no actor is alive (true), a new one appeared (true: ask it too), or the deadline.
bool runtime::await_exits(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  const auto seen = registrations_;
  return registry_changed_.wait_until(lock, deadline,
                                      [&] { return live_.empty() || registrations_ != seen; });
}

void runtime::shutdown() noexcept {
  if (shutting_down_.exchange(true, std::memory_order_relaxed)) return;
  const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_timeout;
  bool clean = true;
  for (;;) {
    for (auto& cell : cells_to_ask_to_exit()) {
      cell->deliver(new envelope_of<actor_exit_request>(address{}));
    }
    settle();
    if (live_actor_count() == 0) break;
    if (!await_exits(deadline)) {
      report_stuck_actors();
      clean = false;
      break;
    }
  }
  stopped_.store(true, std::memory_order_relaxed);
  stop(clean);
}

void runtime::report_stuck_actors() {
  std::lock_guard lock(mutex_);
  std::cerr << "thespis: shutdown timed out after " << config_.shutdown_timeout.count() << " ms; "
            << live_.size() << " actor(s) did not exit (busy in a handler):";
  for (auto& [id, cell] : live_) {
    std::cerr << ' ' << address_access::make(cell) << " (" << type_name(cell->actor_type()) << ')';
  }
  std::cerr << '\n';
}

}  // namespace thespis::detail
