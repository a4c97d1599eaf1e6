// An actor's live children, in creation order, with O(1) amortized add and remove.
//
// Why not a plain vector: every child that exits is removed by its parent; with find + erase
// a parent of n children paid O(n) per exit, O(n^2) in all (a parent that created 100,000
// short-lived children spent ~100 µs per child shifting the vector). Here a removal leaves a
// hole, found through an index, and the holes are squeezed out once they outnumber the live
// children. The list is one pointer until the first child: most actors have none. The index (a
// hash map node per child) is built only once a parent has more than `small` children: below
// that a scan of the slots is cheaper than the allocation (a skynet node has ten).
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/address.hpp"

namespace thespis::detail {

/// Only from inside the owning actor.
class child_list {
 public:
  /// Appends a new child.
  void add(address child);
  /// Removes `child`; returns false if it was not here.
  bool remove(const address& child);

  /// Returns true if `child` is here.
  bool contains(const address& child) const;
  bool empty() const noexcept { return state_ == nullptr; }
  /// Calls f(const address&) for every live child, oldest first.
  template <class F>
  void for_each(F&& f) const {
    if (!state_) return;
    for (const address& a : state_->slots)
      if (a) f(a);
  }
  /// Returns the live children, oldest first.
  std::vector<address> to_vector() const;
  void clear() noexcept { state_.reset(); }

 private:
  static constexpr std::size_t small = 32;
  struct state {
    std::vector<address> slots;  // creation order; a null address is a removed child
    std::size_t live = 0;        // non-null slots
    bool indexed = false;        // `index` is in use (slots outgrew `small` once)
    std::unordered_map<const address_target*, std::size_t> index;  // child -> its slot
  };
  std::size_t find(const address_target* child) const;
  void build_index();
  void compact();

  std::unique_ptr<state> state_;  // null: no live child
};

}  // namespace thespis::detail
