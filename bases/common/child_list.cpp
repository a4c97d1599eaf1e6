#include "bases/common/child_list.hpp"

#include <utility>

namespace thespis::detail {

void child_list::add(address child) {
  if (!state_) state_ = std::make_unique<state>();
  auto& s = *state_;
  if (s.indexed) s.index.emplace(address_access::target(child), s.slots.size());
  s.slots.push_back(std::move(child));
  ++s.live;
  if (!s.indexed && s.slots.size() > small) build_index();
}

// Returns the slot holding `child`, or slots.size() if none does.
std::size_t child_list::find(const address_target* child) const {
  const auto& s = *state_;
  if (s.indexed) {
    auto it = s.index.find(child);
    return it == s.index.end() ? s.slots.size() : it->second;
  }
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    if (address_access::target(s.slots[i]) == child) return i;
  }
  return s.slots.size();
}

bool child_list::contains(const address& child) const {
  return state_ && child && find(address_access::target(child)) != state_->slots.size();
}

bool child_list::remove(const address& child) {
  if (!state_ || !child) return false;
  auto& s = *state_;
  const std::size_t slot = find(address_access::target(child));
  if (slot == s.slots.size()) return false;
  s.slots[slot] = address{};
  if (s.indexed) s.index.erase(address_access::target(child));
  if (--s.live == 0) {
    state_.reset();
  } else if (s.slots.size() > small && s.slots.size() > 2 * s.live) {
    compact();
  }
  return true;
}

std::vector<address> child_list::to_vector() const {
  std::vector<address> out;
  if (state_) out.reserve(state_->live);
  for_each([&](const address& a) { out.push_back(a); });
  return out;
}

void child_list::build_index() {
  auto& s = *state_;
  s.indexed = true;
  s.index.reserve(s.live);
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    if (s.slots[i]) s.index.emplace(address_access::target(s.slots[i]), i);
  }
}

// Squeezes out the holes; amortized O(1) per removal, since at least half the slots are holes.
void child_list::compact() {
  auto& slots = state_->slots;
  std::size_t kept = 0;
  for (auto& a : slots) {
    if (!a) continue;
    if (state_->indexed) state_->index[address_access::target(a)] = kept;
    slots[kept++] = std::move(a);
  }
  slots.resize(kept);
}

}  // namespace thespis::detail
