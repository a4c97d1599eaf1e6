#include "core/detail/type_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace thespis::detail {

std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(t.name());
}

// "thespis::detail::call<counter>" names the class the caller took the actor for.
std::string called_class_name(const std::type_info& call_type) {
  std::string called = type_name(call_type);
  if (const auto open = called.find('<'); open != std::string::npos && called.back() == '>') {
    called = called.substr(open + 1, called.size() - open - 2);
  }
  return called;
}

}  // namespace thespis::detail
