#include "core/actor.hpp"

#include <stdexcept>

namespace thespis {

namespace detail {
namespace {
thread_local actor_context* current_construction = nullptr;
}

actor_context* constructing_context() noexcept {
  return current_construction;
}

construction_scope::construction_scope(actor_context* ctx) noexcept
    : previous_(std::exchange(current_construction, ctx)) {}

construction_scope::~construction_scope() {
  current_construction = previous_;
}
}  // namespace detail

namespace {
detail::actor_context& require_context() {
  auto* ctx = detail::constructing_context();
  if (!ctx) {
    throw std::logic_error(
        "thespis::actor constructed outside the system: create actors with create_actor<T>()");
  }
  return *ctx;
}
}  // namespace

actor::actor()
    : context_(&require_context()),
      self_(context_->self()),
      back_pressure_(context_->back_pressure()) {}

actor::~actor() = default;

void actor::receive(message& msg, const address& sender) {
  if (!handlers_.dispatch(msg, sender)) unhandled(msg, sender);
}

void actor::unhandled(message&, const address&) {}

}  // namespace thespis
