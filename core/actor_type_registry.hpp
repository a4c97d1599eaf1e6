// Actor classes registered by name, so actors can be created from a string
// (`create_actor("app.worker")`), as Thespian creates them from a class path.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>

#include "core/actor.hpp"  // the actor class, and make_actor_factory (troupe_leader.hpp)
#include "core/detail/actor_factory.hpp"

namespace thespis {

namespace detail {
using factory_maker = std::unique_ptr<actor_factory> (*)();

/// Adds (or replaces) the maker registered under `name`. Thread-safe.
void register_factory_maker(std::string name, factory_maker maker);

/// Returns a factory for the type registered under `name`; throws invalid_actor_specification.
std::unique_ptr<actor_factory> make_registered_factory(std::string_view name);
}  // namespace detail

/// Registers the default-constructible actor class A under `name`, process-wide; a later
/// registration of the same name replaces it. A troupe class is created as a troupe, as by
/// create_actor<A>(). Thread-safe. Returns true so it can initialize a static:
/// `static const bool registered = thespis::register_actor_type<worker>("app.worker");`
template <class A>
requires std::derived_from<A, actor> && std::default_initializable<A>
bool register_actor_type(std::string name) {
  detail::register_factory_maker(std::move(name), [] { return detail::make_actor_factory<A>(); });
  return true;
}

}  // namespace thespis
