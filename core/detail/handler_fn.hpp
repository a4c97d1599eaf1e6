// A message handler as the handler table stores it: a type-erased callable, like std::function,
// with a larger inline buffer and no glibc heap.
//
// Why not std::function: libstdc++ keeps a callable inline only if it is trivially copyable and
// at most 16 bytes, so a handler that captured an address (`[this, collector]`) went to malloc —
// and an actor built by one thread is often destroyed by another, where glibc's free of a block
// from another thread's arena takes that arena's lock (malloc and free were ~10 % of
// fork_join_creation). Here a callable of up to 24 bytes that moves without throwing is kept
// inline, whatever it captures; a larger one lives in the envelope slabs, which take frees from
// any thread. One pointer to a static table of operations keeps the handler at 32 bytes.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "core/address.hpp"
#include "core/detail/envelope_allocator.hpp"
#include "core/message.hpp"

namespace thespis::detail {

class handler_fn {
 public:
  /// Takes over f, callable as f(message&, const address&). May throw what allocating or
  /// moving f throws.
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, handler_fn>>>
  explicit handler_fn(F&& f)
      : handler_fn(std::in_place_type<std::decay_t<F>>, std::forward<F>(f)) {}

  /// Builds a Callable from `args` in place (braces: an aggregate is built member-wise), so
  /// that it is not moved on its way in. May throw what allocating or constructing it throws.
  template <class Callable, class... Args>
  explicit handler_fn(std::in_place_type_t<Callable>, Args&&... args) {
    if constexpr (fits_inline<Callable>) {
      ::new (static_cast<void*>(storage_)) Callable{std::forward<Args>(args)...};
      ops_ = &inline_ops<Callable>::table;
    } else {
      void* memory = boxed_ops<Callable>::allocate();
      try {
        ::new (storage_) Callable*(::new (memory) Callable{std::forward<Args>(args)...});
      } catch (...) {
        boxed_ops<Callable>::deallocate(memory);
        throw;
      }
      ops_ = &boxed_ops<Callable>::table;
    }
  }

  handler_fn(handler_fn&& other) noexcept : ops_(other.ops_) {
    ops_->relocate(other.storage_, storage_);
    other.ops_ = &empty_ops::table;
  }

  handler_fn& operator=(handler_fn&& other) noexcept {
    if (this != &other) {
      ops_->destroy(storage_);
      ops_ = std::exchange(other.ops_, &empty_ops::table);
      ops_->relocate(other.storage_, storage_);
    }
    return *this;
  }

  handler_fn(const handler_fn&) = delete;
  handler_fn& operator=(const handler_fn&) = delete;

  ~handler_fn() { ops_->destroy(storage_); }

  void operator()(message& m, const address& from) { ops_->invoke(storage_, m, from); }

 private:
  static constexpr std::size_t inline_bytes = 24;

  template <class F>
  static constexpr bool fits_inline =
      sizeof(F) <= inline_bytes &&
      alignof(F) <= alignof(void*) && std::is_nothrow_move_constructible_v<F>;

  struct operations {
    void (*invoke)(void* storage, message& m, const address& from);
    // Moves the callable from one storage into the other (raw) one and ends it in the first.
    void (*relocate)(void* from, void* to) noexcept;
    void (*destroy)(void* storage) noexcept;
  };

  // What a moved-from handler holds: nothing to move or destroy, never called.
  struct empty_ops {
    static void invoke(void*, message&, const address&) {}
    static void relocate(void*, void*) noexcept {}
    static void destroy(void*) noexcept {}
    static constexpr operations table{invoke, relocate, destroy};
  };

  template <class F>
  struct inline_ops {
    static F& get(void* storage) noexcept { return *std::launder(static_cast<F*>(storage)); }
    static void invoke(void* storage, message& m, const address& from) { get(storage)(m, from); }
    static void relocate(void* from, void* to) noexcept {
      ::new (to) F(std::move(get(from)));
      get(from).~F();
    }
    static void destroy(void* storage) noexcept { get(storage).~F(); }
    static constexpr operations table{invoke, relocate, destroy};
  };

  // The callable on its own block; the storage holds its pointer.
  template <class F>
  struct boxed_ops {
    static constexpr bool slab_aligned = alignof(F) <= 16;  // slab blocks are 16-byte aligned
    static void* allocate() {
      if constexpr (slab_aligned) {
        return allocate_envelope(sizeof(F));
      } else {
        return ::operator new (sizeof(F), std::align_val_t{alignof(F)});
      }
    }
    static void deallocate(void* memory) noexcept {
      if constexpr (slab_aligned) {
        free_envelope(memory, sizeof(F));
      } else {
        ::operator delete (memory, std::align_val_t{alignof(F)});
      }
    }
    static F*& get(void* storage) noexcept { return *std::launder(static_cast<F**>(storage)); }
    static void invoke(void* storage, message& m, const address& from) { (*get(storage))(m, from); }
    static void relocate(void* from, void* to) noexcept { ::new (to) F*(get(from)); }
    static void destroy(void* storage) noexcept {
      F* f = get(storage);
      f->~F();
      deallocate(f);
    }
    static constexpr operations table{invoke, relocate, destroy};
  };

  const operations* ops_;
  alignas(void*) unsigned char storage_[inline_bytes];
};

}  // namespace thespis::detail
