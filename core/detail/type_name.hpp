#pragma once

#include <string>
#include <typeinfo>

namespace thespis::detail {

/// Returns the readable (demangled where possible) name of a type, for errors and status.
std::string type_name(const std::type_info& t);

/// Returns the class a method call's message type names: "counter" for call<counter>; the
/// whole name for any other type.
std::string called_class_name(const std::type_info& call_type);

}  // namespace thespis::detail
