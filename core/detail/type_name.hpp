#pragma once

#include <string>
#include <typeinfo>

namespace thespis::detail {

/// Returns the readable (demangled where possible) name of a type, for errors and status.
std::string type_name(const std::type_info& t);

}  // namespace thespis::detail
