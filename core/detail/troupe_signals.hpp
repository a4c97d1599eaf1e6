// Messages between a troupe's leader and its members; users never see them.
#pragma once

namespace thespis::detail {

/// A member finished a message and takes new work (sent by the runtime after each message,
/// unless the member marked work in progress).
struct troupe_member_ready {};

/// The leader's timer: dismiss idle members beyond the limit.
struct dismiss_surplus {};

}  // namespace thespis::detail
