// How the request tests report a request's error to the test: "timeout" for a request that got
// no reply in time, "error <what()>" for any other exception.
#pragma once

#include <exception>
#include <string>

#include "core/thespis.hpp"

namespace thespis::test {

inline std::string describe_request_error(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const actor_system_request_timeout&) {
    return "timeout";
  } catch (const std::exception& x) {
    return std::string("error ") + x.what();
  }
}

}  // namespace thespis::test
