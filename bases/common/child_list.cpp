#include "bases/common/child_list.hpp"

#include <utility>

namespace thespis::detail {

void child_list::add(address child) {
  index_.emplace(address_access::target(child), slots_.size());
  slots_.push_back(std::move(child));
  ++live_;
}

bool child_list::remove(const address& child) {
  auto it = index_.find(address_access::target(child));
  if (it == index_.end()) return false;
  slots_[it->second] = address{};
  index_.erase(it);
  --live_;
  if (live_ == 0) {
    slots_.clear();
  } else if (slots_.size() > 32 && slots_.size() > 2 * live_) {
    compact();
  }
  return true;
}

std::vector<address> child_list::to_vector() const {
  std::vector<address> out;
  out.reserve(live_);
  for_each([&](const address& a) { out.push_back(a); });
  return out;
}

void child_list::clear() noexcept {
  slots_.clear();
  index_.clear();
  live_ = 0;
}

// Squeezes out the holes; amortized O(1) per removal, since at least half the slots are holes.
void child_list::compact() {
  std::size_t kept = 0;
  for (auto& a : slots_) {
    if (!a) continue;
    index_[address_access::target(a)] = kept;
    slots_[kept++] = std::move(a);
  }
  slots_.resize(kept);
}

}  // namespace thespis::detail
