#include "core/actor_system.hpp"

namespace thespis {

actor_system::actor_system() : actor_system(system_config{}) {}

actor_system::actor_system(system_config config)
    : base_(detail::make_system_base(std::move(config))) {}

actor_system::~actor_system() {
  // An actor still stuck in a handler after the shutdown deadline will touch the runtime when
  // it returns: the runtime (and its abandoned pool) must outlive it, so it is leaked on purpose.
  if (!base_->shutdown()) (void)base_.release();
}

address actor_system::create_actor(std::string_view type_name) {
  return base_->spawn(detail::make_registered_factory(type_name));
}

}  // namespace thespis
