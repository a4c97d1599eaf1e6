#include "bases/common/live_registry.hpp"

#include "bases/common/actor_cell.hpp"

#include <new>

namespace thespis::detail {

live_registry::~live_registry() {
  for (auto& s : shards_)
    release_all(s);
}

void live_registry::release_all(shard& s) noexcept {
  for (actor_cell* c : s.slots) {
    if (c == nullptr) continue;
    c->registry_slot_ = no_slot;
    (void)intrusive_ptr<actor_cell>::adopt(c);  // drops the registry's reference
  }
  s.slots.clear();
  s.free.clear();
  s.count = 0;
}

live_registry::shard& live_registry::shard_of(const actor_cell& cell) noexcept {
  return shard_for(cell.id());
}

void live_registry::add(intrusive_ptr<actor_cell> cell) noexcept {
  shard& s = shard_of(*cell);
  std::lock_guard held(s.lock);
  std::uint32_t slot;
  if (!s.free.empty()) {
    slot = s.free.back();
    s.free.pop_back();
  } else {
    // Out of memory terminates (noexcept), as a lost registration would leave a live actor
    // that shutdown never asks to exit.
    slot = static_cast<std::uint32_t>(s.slots.size());
    s.slots.push_back(nullptr);
  }
  actor_cell* c = cell.detach();  // the registry's reference from now on
  s.slots[slot] = c;
  c->registry_slot_ = slot;
  ++s.count;
}

intrusive_ptr<actor_cell> live_registry::remove(actor_cell& cell) noexcept {
  shard& s = shard_of(cell);
  std::lock_guard held(s.lock);
  const std::uint32_t slot = cell.registry_slot_;
  if (slot == no_slot) return {};  // not here
  s.slots[slot] = nullptr;
  cell.registry_slot_ = no_slot;
  if (--s.count == 0 && s.slots.size() > empty_shard_keeps) {
    // A crowd of actors has gone: give its slots back (idle_memory counts what returns).
    s.slots = {};
    s.free = {};
  } else {
    try {
      s.free.push_back(slot);
    } catch (const std::bad_alloc&) {
      // Out of memory: the slot stays empty for good (a word), and nothing else is lost.
    }
  }
  return intrusive_ptr<actor_cell>::adopt(&cell);
}

std::size_t live_registry::size() const noexcept {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard held(s.lock);
    n += s.count;
  }
  return n;
}

}  // namespace thespis::detail
