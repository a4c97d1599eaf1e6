#include "bases/simple/simple_base.hpp"

#include "bases/common/reply_slot.hpp"

namespace thespis::detail {

message simple_base::await_reply(reply_slot& slot, std::chrono::nanoseconds) noexcept {
  return slot.take();
}

}  // namespace thespis::detail
