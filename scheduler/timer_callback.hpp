// What a timer runs when it fires: a move-only, type-erased `void()` callable.
//
// Why not std::function: it requires a copyable target, and the natural wakeup callback owns a
// move-only `message` (wakeup_after's payload). C++20 has no std::move_only_function (C++23),
// so this is the small subset of it the timers need. Callables of up to three pointers that move
// without throwing are stored inline — the runtime's timers capture two (a cell and the message
// to deliver) and allocate nothing here; larger ones go to the heap. Why not four, as before:
// the timer service keeps a callback per pending timer in a vector of slots, and 32 bytes of
// storage aligned for any type made a slot 64 bytes; now it is 40 (an actor with one wakeup
// pending: 583 -> 558 bytes in all, 100,000 of them).
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace thespis {

/// A move-only `void()` callable, possibly empty. Invoking one whose target throws calls
/// std::terminate: timer callbacks must not throw. Not thread-safe (a value type).
class timer_callback {
 public:
  timer_callback() noexcept = default;

  /// Wraps f (moved or copied in).
  template <class F>
  requires(!std::same_as<std::remove_cvref_t<F>, timer_callback> &&
           std::invocable<std::decay_t<F>&> && std::constructible_from<std::decay_t<F>, F>)
      timer_callback(F&& f) {  // implicit, like std::function
    using target = std::decay_t<F>;
    if constexpr (fits_inline<target>) {
      ::new (static_cast<void*>(storage_)) target(std::forward<F>(f));
      ops_ = &inline_ops<target>;
    } else {
      ::new (static_cast<void*>(storage_)) target*(new target(std::forward<F>(f)));
      ops_ = &heap_ops<target>;
    }
  }

  timer_callback(timer_callback&& other) noexcept : ops_(std::exchange(other.ops_, nullptr)) {
    if (ops_) ops_->relocate(other.storage_, storage_);
  }

  timer_callback& operator=(timer_callback&& other) noexcept {
    if (this != &other) {
      reset();
      ops_ = std::exchange(other.ops_, nullptr);
      if (ops_) ops_->relocate(other.storage_, storage_);
    }
    return *this;
  }

  ~timer_callback() { reset(); }

  /// Returns true if this holds a callable.
  explicit operator bool() const noexcept { return ops_ != nullptr; }

  /// Calls the target; this must not be empty.
  void operator()() noexcept { ops_->invoke(storage_); }

 private:
  // Type-erased operations on the storage; `relocate` move-constructs into `to` and destroys
  // `from`.
  struct operations {
    void (*invoke)(void* storage) noexcept;
    void (*relocate)(void* from, void* to) noexcept;
    void (*destroy)(void* storage) noexcept;
  };

  static constexpr std::size_t inline_size = 3 * sizeof(void*);

  template <class T>
  static constexpr bool fits_inline =
      sizeof(T) <= inline_size &&
      alignof(T) <= alignof(void*) && std::is_nothrow_move_constructible_v<T>;

  template <class T>
  static constexpr operations inline_ops{
      .invoke = [](void* s) noexcept { (*std::launder(static_cast<T*>(s)))(); },
      .relocate =
          [](void* from, void* to) noexcept {
            T* source = std::launder(static_cast<T*>(from));
            ::new (to) T(std::move(*source));
            source->~T();
          },
      .destroy = [](void* s) noexcept { std::launder(static_cast<T*>(s))->~T(); },
  };

  template <class T>
  static constexpr operations heap_ops{
      .invoke = [](void* s) noexcept { (**static_cast<T**>(s))(); },
      .relocate = [](void* from, void* to) noexcept { ::new (to) T*(*static_cast<T**>(from)); },
      .destroy = [](void* s) noexcept { delete *static_cast<T**>(s); },
  };

  void reset() noexcept {
    if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
  }

  alignas(void*) std::byte storage_[inline_size];
  const operations* ops_ = nullptr;
};

}  // namespace thespis
