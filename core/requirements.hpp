// What an actor class needs from the system it runs on (Thespian's actor requirements), checked
// against the system's capabilities at creation and whenever a capability changes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/system_config.hpp"

namespace thespis {

/// Returns whether a capability value counts as "true": true, a non-zero number, a non-empty
/// string.
bool truthy(const capability_value& value) noexcept;

/// A stackable list of requirements. Declare them for a class with a static member
/// `static thespis::requirements actor_requirements();`, or pass more at creation:
/// `create_actor<worker>(thespis::requirements{}.require_capability("gpu"), args…)`.
class requirements {
 public:
  using check_function = std::function<bool(const capability_map&, const requirements&)>;

  /// Requires `name` to be present and truthy.
  requirements& require_capability(std::string name);
  /// Requires `name` to equal `value`.
  requirements& require_capability(std::string name, capability_value value);
  /// Requires an arbitrary check of (capabilities, these requirements) to pass.
  requirements& require(check_function check);
  /// Adds everything `other` requires.
  requirements& merge(const requirements& other);

  /// Returns true if nothing is required.
  bool empty() const noexcept { return capabilities_.empty() && checks_.empty(); }
  /// Returns "" if `caps` satisfies every requirement, else a sentence saying which fails.
  std::string unmet_by(const capability_map& caps) const;

  /// One required capability: truthy if `value` is empty, else equal to it.
  struct capability {
    std::string name;
    std::optional<capability_value> value;
  };
  const std::vector<capability>& capabilities() const noexcept { return capabilities_; }

 private:
  std::vector<capability> capabilities_;
  std::vector<check_function> checks_;
};

}  // namespace thespis
