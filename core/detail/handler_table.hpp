// One handler per message type, for actors that dispatch by type (Thespian's
// ActorTypeDispatcher). Handlers are looked up by the payload's exact type.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/address.hpp"
#include "core/detail/envelope_allocator.hpp"
#include "core/detail/handler_fn.hpp"
#include "core/message.hpp"

namespace thespis::detail {

template <class F>
struct callable_traits : callable_traits<decltype(&F::operator())> {};
template <class C, class R, class... Args>
struct callable_traits<R (C::*)(Args...) const> {
  using args = std::tuple<Args...>;
};
template <class C, class R, class... Args>
struct callable_traits<R (C::*)(Args...)> {
  using args = std::tuple<Args...>;
};

/// Maps payload types to handlers. Owned and used by one actor only.
class handler_table {
 public:
  /// Adds f, whose first parameter names the message type (T, const T&, T& or T&&) and whose
  /// optional second parameter receives the sender (const address&). A later handler for the
  /// same type replaces the earlier one. With `later` (the actor is handling a message: see
  /// install_added), it is kept aside until install_added().
  template <class F>
  void add(F&& f, bool later = false) {
    using args = typename callable_traits<std::decay_t<F>>::args;
    static_assert(std::tuple_size_v<args> == 1 || std::tuple_size_v<args> == 2,
                  "a handler takes (message) or (message, const address& sender)");
    using param = std::tuple_element_t<0, args>;
    using value_type = std::remove_cvref_t<param>;
    constexpr bool wants_sender = std::tuple_size_v<args> == 2;
    // Built once, in its place in the table: every move of a callable that captured an address
    // as `const address` (a lambda capturing a `const address&` parameter) is a copy, an atomic
    // on the target's reference count, which other threads write (fork_join_creation: five
    // such copies and four releases per actor when the handler travelled through temporaries).
    emplace<typed_handler<std::decay_t<F>, param, wants_sender>>(typeid(value_type),
                                                                 std::forward<F>(f), later);
  }

  /// Runs the handler for m's type; returns false if there is none.
  bool dispatch(message& m, const address& from) {
    entry* h = lookup(m.type());
    if (h == nullptr) return false;
    h->fn(m, from);  // nothing touches the table after the handler (see install_added)
    return true;
  }

  /// Returns the handler registered with the very type_info object `type` is, or null. The
  /// common case, apart from dispatch(): a caller's fast path built on it stays small enough
  /// to save no registers and to tail-call the handler (see actor::receive).
  handler_fn* same_type_handler(const std::type_info& type) noexcept {
    if (block_ != nullptr) {
      for (entry& h : *block_) {
        if (h.type == &type) return &h.fn;
      }
    }
    return nullptr;
  }

  /// Installs, in the order added, the handlers added with `later` on this thread (the latest
  /// for a type wins). Why later: a handler that registers handlers (switching behaviour) would
  /// otherwise grow the table under itself — moving the running handler and what it captured —
  /// or replace itself, destroying them while it runs. The runtime knows when an actor's
  /// message is done, so it calls this then, on the same thread; dispatch() then keeps no
  /// count of running handlers (two writes and a non-tail call per message, ~1.5 ns).
  /// If installing fails (out of memory), the rest of this table's held-back handlers are
  /// dropped with the exception, and so are those their destruction holds back: none is left
  /// behind for a later table at the same address.
  void install_added() {
    std::vector<added_entry> mine;  // out of the shared list: installing may grow that list
    try {
      take_held_back(mine, 0);
      for (std::size_t i = 0; i < mine.size(); ++i) {
        install(*mine[i].e.type, std::move(mine[i].e.fn));
        // A replaced handler's destructor may have registered handlers (held back, as the
        // actor is still in its message): they come next, before the rest, as they would
        // outside a message, where they are installed the moment they are registered.
        take_held_back(mine, i + 1);
      }
    } catch (...) {
      mine.clear();      // the rest, whose destructors may hold back more...
      drop_held_back();  // ...which go too, as do any not taken yet
      throw;
    }
  }

  /// The bytes one held-back handler takes in the thread's list: for tests that make that
  /// list's allocations fail.
  static constexpr std::size_t held_back_entry_bytes();

  handler_table() noexcept = default;
  handler_table(const handler_table&) = delete;
  handler_table& operator=(const handler_table&) = delete;
  // Detached first, and again while any is left: a destroyed handler's captures may add one.
  ~handler_table() {
    while (block_ != nullptr)
      release(std::exchange(block_, nullptr));
  }

 private:
  struct entry {
    const std::type_info* type;
    handler_fn fn;
  };

  // Handlers added while their actor handles a message, on this thread, in the order added (a
  // thread may run another actor's handler nested inside one, while a handler waits for a
  // parallel_for). Thread-local, not in the table: the table is one pointer in every actor
  // (an idle actor's size counts), and this is the rare path.
  struct added_entry {
    handler_table* table;
    entry e;
  };
  static std::vector<added_entry>& added_while_running() {
    static thread_local std::vector<added_entry> added;
    return added;
  }
  // Moves this table's held-back handlers out of the thread's list into `into` at `at`, in the
  // order registered. Stable: the other tables' entries keep their order too; the partition
  // allocates no memory it cannot do without (it falls back to an in-place algorithm). If the
  // insert fails, nothing has moved.
  void take_held_back(std::vector<added_entry>& into, std::size_t at) {
    auto& all = added_while_running();
    const auto first_mine = std::stable_partition(
        all.begin(), all.end(), [this](const added_entry& a) { return a.table != this; });
    if (first_mine == all.end()) return;
    into.insert(into.begin() + static_cast<std::ptrdiff_t>(at), std::make_move_iterator(first_mine),
                std::make_move_iterator(all.end()));  // noexcept moves, once room is made
    all.erase(first_mine, all.end());  // moved-from: destroying them runs no capture's code
  }
  // Drops this table's held-back handlers (installing them failed), each taken out of the list
  // before it is destroyed: its captures' destructors may hold back another, growing the list,
  // which must not happen inside the list's own erase. Until none of this table's is left.
  void drop_held_back() noexcept {
    auto& all = added_while_running();
    for (;;) {
      const auto last_mine = std::find_if(all.rbegin(), all.rend(),
                                          [this](const added_entry& a) { return a.table == this; });
      if (last_mine == all.rend()) return;
      entry dropped = std::move(last_mine->e);
      all.erase(std::next(last_mine).base());  // noexcept moves
    }                                          // dropped is destroyed here, with the list whole
  }
  entry* lookup(const std::type_info& type) noexcept {
    if (!block_) return nullptr;
    // Identity first: a failed type_info comparison costs a strcmp (see detail::holds), so the
    // full comparison runs only when no handler's type_info is the very same object.
    for (entry& h : *block_) {
      if (h.type == &type) return &h;
    }
    return find(type);
  }

  // The table is one pointer in every actor (an idle actor's size counts: see bench
  // idle_memory), so its size and capacity live in the heap block with the entries.
  struct block {
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
    entry* begin() noexcept { return reinterpret_cast<entry*>(this + 1); }
    entry* end() noexcept { return begin() + size; }
  };
  static_assert(sizeof(block) % alignof(entry) == 0, "entries follow the header, aligned");

  static std::size_t bytes_for(std::size_t capacity) noexcept {
    return sizeof(block) + capacity * sizeof(entry);
  }
  // From the envelope slabs: an actor built on one thread often ends on another (see
  // envelope_allocator.hpp).
  static block* allocate(std::size_t capacity) {
    if (capacity > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("thespis: too many message handlers in one actor");
    auto* b = ::new (allocate_envelope(bytes_for(capacity))) block;
    b->capacity = static_cast<std::uint32_t>(capacity);
    return b;
  }
  static void release(block* b) noexcept {
    if (!b) return;
    const std::size_t bytes = bytes_for(b->capacity);
    std::destroy(b->begin(), b->end());
    b->~block();
    free_envelope(b, bytes);
  }

  // The callable a handler becomes: it unwraps the message for f.
  template <class F, class Param, bool WantsSender>
  struct typed_handler {
    F fn;
    void operator()(message& m, const address& from) {
      using value_type = std::remove_cvref_t<Param>;
      auto& value = *m.try_get<value_type>();
      // By-value and rvalue parameters take the payload by move; references bind to it.
      auto&& arg = [&]() -> decltype(auto) {
        if constexpr (std::is_lvalue_reference_v<Param>)
          return (value);
        else
          return std::move(value);
      }();
      if constexpr (WantsSender) {
        fn(std::forward<decltype(arg)>(arg), from);
      } else {
        fn(std::forward<decltype(arg)>(arg));
      }
    }
  };

  template <class Callable, class F>
  void emplace(const std::type_info& t, F&& f, bool later) {
    if (later) {
      added_while_running().push_back(added_entry{
          this, entry{&t, handler_fn(std::in_place_type<Callable>, std::forward<F>(f))}});
      return;
    }
    if (entry* existing = find(t)) {
      replace(*existing, handler_fn(std::in_place_type<Callable>, std::forward<F>(f)));
      return;
    }
    make_room_for_one();
    // Aggregate initialization from a prvalue: the handler is built in the block, not moved.
    ::new (block_->end()) entry{&t, handler_fn(std::in_place_type<Callable>, std::forward<F>(f))};
    ++block_->size;
  }

  // Adds or replaces the handler for t with a built one (a handler added while dispatching).
  void install(const std::type_info& t, handler_fn&& fn) {
    if (entry* existing = find(t)) {
      replace(*existing, std::move(fn));
      return;
    }
    make_room_for_one();
    ::new (block_->end()) entry{&t, std::move(fn)};
    ++block_->size;
  }

  // The replaced handler goes last, when the entry is no longer used: its captures' destructors
  // may add handlers (at once outside a message), growing the table — moving the entry.
  static void replace(entry& e, handler_fn&& fn) noexcept {
    handler_fn replaced(std::move(e.fn));
    e.fn = std::move(fn);
  }

  entry* find(const std::type_info& t) noexcept {
    if (block_) {
      for (entry& h : *block_) {
        if (*h.type == t) return &h;
      }
    }
    return nullptr;
  }

  void make_room_for_one() {
    if (block_ && block_->size < block_->capacity) return;
    // In 64 bits, so that allocate() sees a count past its limit, not a wrapped one.
    block* grown = allocate(block_ ? std::size_t{block_->capacity} * 2 : 1);
    if (block_) {
      // handler_fn's move constructor is noexcept: nothing can fail halfway.
      std::uninitialized_move(block_->begin(), block_->end(), grown->begin());
      grown->size = block_->size;
      release(block_);
    }
    block_ = grown;
  }

  block* block_ = nullptr;  // null until the first handler
};

constexpr std::size_t handler_table::held_back_entry_bytes() {
  return sizeof(added_entry);
}

}  // namespace thespis::detail
