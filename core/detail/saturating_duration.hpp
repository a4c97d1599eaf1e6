// Durations a user passes to the API, in nanoseconds without overflow.
#pragma once

#include <chrono>

namespace thespis::detail {

/// The longest wait the runtime uses: ~146 years, half of what nanoseconds hold, so that adding
/// it to any clock reading still fits.
inline constexpr std::chrono::nanoseconds forever{std::chrono::nanoseconds::max() / 2};

/// Returns d in nanoseconds, clamped to [-forever, forever]. Why: a plain duration_cast of a
/// user's "for ever" (seconds::max(), a million hours) overflows into the past — a wakeup that
/// fires at once, an ask that gives up at once, an idle timeout that ends the actor at its first
/// message. A NaN (a floating-point duration computed from nothing) is zero: converting it is
/// undefined behaviour, and zero shows at once (an ask that times out, "within 0 ms") where
/// for ever would hang without a word.
template <class Rep, class Period>
constexpr std::chrono::nanoseconds saturating_ns(std::chrono::duration<Rep, Period> d) noexcept {
  const std::chrono::duration<long double, std::nano> exact = d;
  if (exact != exact) return std::chrono::nanoseconds::zero();  // NaN: no comparison holds
  if (exact >= std::chrono::duration<long double, std::nano>(forever)) return forever;
  if (exact <= -std::chrono::duration<long double, std::nano>(forever)) return -forever;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d);
}

}  // namespace thespis::detail
