#include "bases/common/actor_cell.hpp"

#include <exception>
#include <string>

#include "bases/common/runtime.hpp"
#include "core/actor_type_registry.hpp"
#include "core/detail/type_name.hpp"
#include "core/system_messages.hpp"

namespace thespis::detail {

actor_cell::actor_cell(runtime& rt, address_id id, std::unique_ptr<actor_factory> factory)
    : address_target(id), runtime_(rt), type_(&factory->type()), factory_(std::move(factory)) {}

actor_cell::~actor_cell() = default;

void actor_cell::construct() {
  construction_scope scope(this);
  instance_ = std::exchange(factory_, nullptr)->make();
}

void actor_cell::deliver(envelope* env) noexcept {
  switch (mailbox_.push(env)) {
    case push_result::queued:
      return;
    case push_result::unblocked:
      runtime_.schedule(*this);
      return;
    case push_result::closed:
      runtime_.dead_letter(env);
      return;
  }
}

run_result actor_cell::run() noexcept {
  // acquire: pairs with the release below, when the previous activation yielded.
  (void)handoff_.load(std::memory_order_acquire);
  if (factory_ && !start()) return run_result::idle;
  const unsigned budget = runtime_.message_budget();
  for (unsigned handled = 0; handled < budget;) {
    envelope* env = mailbox_.try_pop();
    if (env == nullptr) {
      if (mailbox_.try_block()) return run_result::idle;  // the next push schedules us
      continue;                                           // a push raced with us: go on
    }
    handle(env);
    if (exited_) return run_result::idle;
    ++handled;
  }
  // release: pairs with the acquire above in the activation that resumes this one.
  handoff_.store(0, std::memory_order_release);
  return run_result::yielded;
}

// Builds the actor in its first activation (children are built on a worker, not by the parent).
bool actor_cell::start() noexcept {
  try {
    construct();
    return true;
  } catch (...) {
    exit();  // queued messages become dead letters
    return false;
  }
}

void actor_cell::handle(envelope* env) noexcept {
  address sender = std::move(env->sender);
  message msg(env);
  const bool exit_requested = msg.is<actor_exit_request>();
  // A failed message is retried once, immediately, on the same instance (Thespian's rule).
  std::exception_ptr error = try_receive(msg, sender);
  if (error) error = try_receive(msg, sender);
  if (error && !exit_requested && !msg.is<poison_message>()) {
    return_poison(std::move(msg), sender, error);
  }
  if (exit_requested) exit();  // an exit request cannot be refused, even by throwing
}

std::exception_ptr actor_cell::try_receive(message& msg, const address& sender) noexcept {
  try {
    instance_->receive(msg, sender);
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

void actor_cell::return_poison(message msg, const address& sender, std::exception_ptr error) {
  poison_message poison{std::move(msg), "unknown", "non-standard exception"};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    poison.error_type = type_name(typeid(e));
    poison.what = e.what();
  } catch (...) {
  }
  envelope* env = new envelope_of<poison_message>(self(), std::move(poison));
  if (auto* target = address_access::target(sender)) {
    target->deliver(env);
  } else {
    runtime_.dead_letter(env);  // sent from outside: nobody to return it to
  }
}

void actor_cell::exit() noexcept {
  exited_ = true;
  mailbox_.close([this](envelope* env) { runtime_.dead_letter(env); });
  instance_.reset();  // runs the destructor; drops the actor's own address (the cycle to us)
  factory_.reset();
  runtime_.forget(*this);
}

address actor_cell::self() noexcept {
  return address_access::make(intrusive_ptr<address_target>::share(this));
}

address actor_cell::spawn(std::unique_ptr<actor_factory> factory) {
  return runtime_.spawn_child(std::move(factory));
}

address actor_cell::spawn(std::string_view type_name) {
  return runtime_.spawn_child(make_registered_factory(type_name));
}

void actor_cell::undeliverable(envelope* env) noexcept {
  runtime_.dead_letter(env);
}

}  // namespace thespis::detail
