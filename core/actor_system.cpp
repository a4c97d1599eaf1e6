#include "core/actor_system.hpp"

namespace thespis {

actor_system::actor_system() : actor_system(system_config{}) {}

actor_system::actor_system(system_config config)
    : base_(detail::make_system_base(std::move(config))) {}

actor_system::~actor_system() {
  // An actor still stuck in a handler after the shutdown deadline will touch the base when it
  // returns: the base must outlive it, so disposal may finish in the background.
  (void)base_->shutdown();
  detail::dispose_system_base(std::move(base_));
}

std::size_t actor_system::abandoned_system_count() noexcept {
  return detail::abandoned_system_count();
}

address actor_system::create_actor(std::string_view type_name) {
  return base_->spawn(detail::make_registered_factory(type_name));
}

}  // namespace thespis
