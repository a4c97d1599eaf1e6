// One round of a spin-wait loop.
#pragma once

namespace thespis::detail {

/// Tells the core that this thread is spinning (x86 `pause`: the sibling hyperthread gets the
/// core, and leaving the loop costs no memory-order flush). Elsewhere it does nothing. How long
/// it takes varies by core (~25 ns on the AMD EPYC this was measured on, ~1 ns on some older
/// ones), so loops that must be bounded in time read a clock too.
inline void cpu_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace thespis::detail
