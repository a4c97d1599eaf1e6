#include <catch2/catch.hpp>

#include <vector>

#include "bases/common/child_list.hpp"
#include "core/detail/address_target.hpp"

namespace {
using thespis::address;
using thespis::detail::address_access;
using thespis::detail::child_list;

struct null_target final : thespis::detail::address_target {
  using address_target::address_target;
  void deliver(thespis::detail::envelope*) noexcept override {}
};

std::vector<address> make_children(int n) {
  std::vector<address> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(address_access::make(thespis::detail::intrusive_ptr<null_target>::adopt(
        new null_target({1, static_cast<std::uint64_t>(i + 1)}))));
  }
  return out;
}

// Removes every child whose position satisfies `gone`, then checks the rest, in creation order.
void check_removal(int n, bool (*gone)(int)) {
  const auto children = make_children(n);
  child_list list;
  for (const auto& c : children)
    list.add(c);
  std::vector<address> expected;
  for (int i = 0; i < n; ++i) {
    if (gone(i)) {
      CHECK(list.remove(children[i]));
      CHECK_FALSE(list.remove(children[i]));  // removed once only
    } else {
      expected.push_back(children[i]);
    }
  }
  CHECK(list.to_vector() == expected);
  CHECK(list.empty() == expected.empty());
}
}  // namespace

TEST_CASE("a child list keeps the live children in creation order, whatever exits") {
  for (int n : {1, 10, 32, 33, 100, 1000}) {
    INFO("children: " << n);
    check_removal(n, [](int i) { return i % 2 == 0; });
    check_removal(n, [](int i) { return i % 3 != 1; });
    check_removal(n, [](int i) { return i >= 5; });
    check_removal(n, [](int) { return true; });
  }
}

TEST_CASE("a child list ignores addresses it never held") {
  const auto children = make_children(40);
  child_list list;
  for (int i = 0; i < 20; ++i)
    list.add(children[i]);
  CHECK_FALSE(list.remove(children[30]));
  CHECK_FALSE(list.remove(address{}));
  for (int i = 20; i < 40; ++i)
    list.add(children[i]);  // past the small size: now indexed
  CHECK(list.remove(children[30]));
  CHECK(list.to_vector().size() == 39);
}
