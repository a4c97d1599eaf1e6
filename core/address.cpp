#include "core/address.hpp"

#include <ostream>

namespace thespis {

std::size_t address::hash() const noexcept {
  const auto id = this->id();
  // Fibonacci mixing keeps consecutive actor numbers apart in hash tables.
  return static_cast<std::size_t>((id.local * 0x9E3779B97F4A7C15ull) ^ (id.node << 1));
}

std::string address::to_string() const {
  if (!target_) return "@none";
  const auto id = this->id();
  // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on chained string concatenation.
  std::string text = "@";
  text += std::to_string(id.node);
  text += '.';
  text += std::to_string(id.local);
  return text;
}

std::ostream& operator<<(std::ostream& os, const address& a) {
  return os << a.to_string();
}

}  // namespace thespis
