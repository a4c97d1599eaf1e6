#include "bases/common/child_list.hpp"

#include <utility>

namespace thespis::detail {

void child_list::add(address child) {
  if (!state_) state_ = std::make_unique<state>();
  state_->index.emplace(address_access::target(child), state_->slots.size());
  state_->slots.push_back(std::move(child));
}

bool child_list::remove(const address& child) {
  if (!state_) return false;
  auto it = state_->index.find(address_access::target(child));
  if (it == state_->index.end()) return false;
  state_->slots[it->second] = address{};
  state_->index.erase(it);
  const std::size_t live = state_->index.size();
  if (live == 0) {
    state_.reset();
  } else if (state_->slots.size() > 32 && state_->slots.size() > 2 * live) {
    compact();
  }
  return true;
}

std::vector<address> child_list::to_vector() const {
  std::vector<address> out;
  if (state_) out.reserve(state_->index.size());
  for_each([&](const address& a) { out.push_back(a); });
  return out;
}

// Squeezes out the holes; amortized O(1) per removal, since at least half the slots are holes.
void child_list::compact() {
  auto& slots = state_->slots;
  std::size_t kept = 0;
  for (auto& a : slots) {
    if (!a) continue;
    state_->index[address_access::target(a)] = kept;
    slots[kept++] = std::move(a);
  }
  slots.resize(kept);
}

}  // namespace thespis::detail
