#include "core/requirements.hpp"

#include <sstream>

namespace thespis {

namespace {
std::string describe(const capability_value& value) {
  std::ostringstream out;
  std::visit([&](const auto& v) { out << v; }, value);
  return out.str();
}
}  // namespace

bool truthy(const capability_value& value) noexcept {
  return std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return !v.empty();
        } else {
          return v != T{};
        }
      },
      value);
}

requirements& requirements::require_capability(std::string name) {
  capabilities_.push_back({std::move(name), std::nullopt});
  return *this;
}

requirements& requirements::require_capability(std::string name, capability_value value) {
  capabilities_.push_back({std::move(name), std::move(value)});
  return *this;
}

requirements& requirements::require(check_function check) {
  checks_.push_back(std::move(check));
  return *this;
}

requirements& requirements::merge(const requirements& other) {
  capabilities_.insert(capabilities_.end(), other.capabilities_.begin(), other.capabilities_.end());
  checks_.insert(checks_.end(), other.checks_.begin(), other.checks_.end());
  return *this;
}

std::string requirements::unmet_by(const capability_map& caps) const {
  for (const auto& need : capabilities_) {
    auto it = caps.find(need.name);
    if (!need.value) {
      if (it == caps.end() || !truthy(it->second)) {
        return "requires capability '" + need.name + "' to be true, and the system " +
               (it == caps.end() ? "has none" : "has " + describe(it->second));
      }
    } else if (it == caps.end() || it->second != *need.value) {
      return "requires capability '" + need.name + "' = " + describe(*need.value) +
             ", and the system " + (it == caps.end() ? "has none" : "has " + describe(it->second));
    }
  }
  for (const auto& check : checks_) {
    if (!check(caps, *this)) return "its capability check rejects this system";
  }
  return {};
}

}  // namespace thespis
