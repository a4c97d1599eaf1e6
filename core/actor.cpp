#include "core/actor.hpp"

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

#include "core/detail/envelope.hpp"
#include "core/detail/method_call.hpp"
#include "core/detail/type_name.hpp"
#include "core/errors.hpp"

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

actor::actor() : self_(require_context().self()), back_pressure_(own_context()->back_pressure()) {}

actor::~actor() {
  // self_ still holds its own reference, so these are never the last.
  if (self_credit_ != 0) detail::address_access::target(self_)->release_surplus_refs(self_credit_);
}

void actor::receive(message& msg, const address& sender) {
  // The common case alone, so that it saves no registers and tail-calls the handler; the full
  // type comparison (a strcmp) and unhandled() are out of line (counting: ~1 ns a message).
  if (detail::handler_fn* handler = handlers_.same_type_handler(msg.type())) [[likely]] {
    return (*handler)(msg, sender);
  }
  receive_by_type_name(msg, sender);
}

void actor::receive_by_type_name(message& msg, const address& sender) {
  if (!handlers_.dispatch(msg, sender)) unhandled(msg, sender);
}

// Dropped, but counted, and logged once per actor class and message type: a message of a type
// the actor has no handler for is most often a mistake (the wrong type sent, an `unsigned` to an
// `int` handler — matching is by exact type), and a silent drop hides it. Once, so that a program
// that means to drop a type is not flooded. System messages an actor may ignore (a child's exit,
// an exit request) are neither. An asked method call (a typed reference of another class, made
// from this actor's address) can never be answered: its asker gets the error at once, instead of
// waiting out its timeout for a reply that cannot come.
void actor::unhandled(message& msg, const address& sender) {
  const detail::envelope* env = msg.view();
  if (env == nullptr || env->system()) return;
  own_context()->count_unhandled(env->type());
  if (const std::uint64_t request = detail::request_number(*env); request != 0 && sender) {
    const std::string called = detail::called_class_name(env->type());
    auto error = std::make_exception_ptr(
        invalid_actor_address("request " + std::to_string(request) + " to " + self().to_string() +
                              ": a method call of " + called +
                              ", which the actor there, of another class, does not "
                              "take"));
    // Marked as the system's: an asker that gave up drops it, as an undelivered call's error.
    send(sender, detail::call_reply{request, {}, std::move(error), true});
  } else if (detail::address_target* asker = detail::address_access::target(sender)) {
    // Dropped here, the message takes its sender address with it, so nothing can answer through
    // it: an outside ask waiting there returns at once, an actor's request hears an error. An
    // actor's own address ignores the news.
    asker->sent_message_unhandled();
  }
}

void actor::check_request_type(const spawn_request& request, const std::type_info& type) {
  if (request.type == nullptr || *request.type != type) {
    throw invalid_actor_specification(
        "create_for<" + detail::type_name(type) + ">: the spawn request is for " +
        (request.type ? detail::type_name(*request.type) : std::string("nothing")) + " \"" +
        request.id + "\"");
  }
}

}  // namespace thespis
