// Builds against the installed headers and library; exits 0 if an ask round trip works.
#include <thespis/thespis.hpp>

#include <chrono>
#include <iostream>

namespace {
class doubler : public thespis::actor {
 public:
  doubler() {
    handle([this](int n, const thespis::address& from) { send(from, 2 * n); });
  }
};
}  // namespace

int main() {
  thespis::actor_system sys;
  auto reply = sys.ask<int>(sys.create_actor<doubler>(), 21, std::chrono::seconds(10));
  std::cout << "consumer: " << (reply ? *reply : -1) << '\n';
  return reply == 42 ? 0 : 1;
}
