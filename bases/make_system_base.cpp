// Maps a configuration's base name to the base that implements it.
#include "bases/simple/simple_base.hpp"
#include "bases/threaded/threaded_base.hpp"
#include "core/errors.hpp"

namespace thespis::detail {

std::unique_ptr<system_base> make_system_base(system_config config) {
  if (config.message_budget == 0) throw invalid_system_config("message_budget must be at least 1");
  if (config.base == "threaded") return std::make_unique<threaded_base>(std::move(config));
  if (config.base == "simple") return std::make_unique<simple_base>(std::move(config));
  throw invalid_system_config("unknown system base '" + config.base +
                              "' (known: \"threaded\", \"simple\")");
}

}  // namespace thespis::detail
