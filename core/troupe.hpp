// Troupes (Thespian's @troupe): one address, several members of one actor class, each message
// handled by exactly one member. Declare a class (an actor subclass or a plain object) a troupe
// with a static member:
//   static constexpr thespis::troupe_limits troupe{.max_members = 8, .idle_members = 2};
#pragma once

#include <chrono>
#include <concepts>

namespace thespis {

/// How large a troupe may grow and how many idle members it keeps. Also a message: sent to a
/// troupe's address, it changes the limits at run time.
struct troupe_limits {
  unsigned max_members = 10;                      ///< members working at once, at most (>= 1)
  unsigned idle_members = 2;                      ///< idle members kept; the surplus is dismissed
  std::chrono::milliseconds dismiss_after{1000};  ///< how long surplus members may idle
};

/// A class that declares itself a troupe.
template <class A>
concept troupe_actor = requires {
  { A::troupe } -> std::convertible_to<troupe_limits>;
};

}  // namespace thespis
