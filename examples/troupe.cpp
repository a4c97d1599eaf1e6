// Shows a troupe: one address whose messages are spread over up to four concurrent members,
// each replying straight to the original sender. Prints which member handled each job.
#include <chrono>
#include <iostream>
#include <map>

#include <thespis/thespis.hpp>

struct job {
  int n;
};
struct result {
  int n;
  long square;
  thespis::address member;
};

class squarer : public thespis::actor {
 public:
  static constexpr thespis::troupe_limits troupe{.max_members = 4, .idle_members = 1};
  squarer() {
    handle([this](const job& j, const thespis::address& from) {
      send(from, result{j.n, static_cast<long>(j.n) * j.n, self()});
    });
  }
};

int main() {
  thespis::actor_system sys;
  thespis::address squares = sys.create_actor<squarer>();  // the troupe's one address
  constexpr int jobs = 1000;
  for (int i = 0; i < jobs; ++i)
    sys.tell(squares, job{i});
  std::map<thespis::address, int> per_member;
  long sum = 0;
  for (int i = 0; i < jobs; ++i) {
    auto reply = sys.listen(std::chrono::seconds(10));
    if (!reply) return 1;
    auto& r = reply->get<result>();
    sum += r.square;
    ++per_member[r.member];
  }
  std::cout << "sum of squares 0.." << jobs - 1 << " = " << sum << '\n';
  for (auto& [member, count] : per_member)
    std::cout << "  " << member << " handled " << count << '\n';
  return sum == 332'833'500L ? 0 : 1;
}
