#include "bases/common/live_registry.hpp"

#include "bases/common/actor_cell.hpp"

namespace thespis::detail {

live_registry::~live_registry() {
  for (auto& s : shards_) {
    while (actor_cell* c = s.head) {
      s.head = c->registry_next_;
      c->registry_prev_ = c->registry_next_ = nullptr;
      (void)intrusive_ptr<actor_cell>::adopt(c);  // drops the registry's reference
    }
  }
}

live_registry::shard& live_registry::shard_of(const actor_cell& cell) noexcept {
  return shards_[cell.id().local % shard_count];
}

actor_cell* live_registry::next_of(const actor_cell& cell) noexcept {
  return cell.registry_next_;
}

void live_registry::add(intrusive_ptr<actor_cell> cell) noexcept {
  shard& s = shard_of(*cell);
  actor_cell* c = cell.detach();  // the registry's reference from now on
  std::lock_guard lock(s.mutex);
  c->registry_prev_ = nullptr;
  c->registry_next_ = s.head;
  if (s.head != nullptr) s.head->registry_prev_ = c;
  s.head = c;
  ++s.count;
}

intrusive_ptr<actor_cell> live_registry::remove(actor_cell& cell) noexcept {
  shard& s = shard_of(cell);
  std::lock_guard lock(s.mutex);
  if (cell.registry_prev_ == nullptr && s.head != &cell) return {};  // not in the list
  (cell.registry_prev_ ? cell.registry_prev_->registry_next_ : s.head) = cell.registry_next_;
  if (cell.registry_next_ != nullptr) cell.registry_next_->registry_prev_ = cell.registry_prev_;
  cell.registry_prev_ = cell.registry_next_ = nullptr;
  --s.count;
  return intrusive_ptr<actor_cell>::adopt(&cell);
}

std::size_t live_registry::size() const noexcept {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.count;
  }
  return n;
}

}  // namespace thespis::detail
