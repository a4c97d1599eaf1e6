// Shows timers on the simple base: virtual time moves only when the program advances it, so
// a heartbeat actor's ticks are deterministic — the way unit tests check timing logic.
#include <chrono>
#include <iostream>
#include <vector>

#include <thespis/thespis.hpp>

using namespace std::chrono_literals;

struct start {};
struct beats_request {};

class heartbeat : public thespis::actor {
 public:
  heartbeat() {
    handle([this](const start&) { wakeup_after(1s, 1); });
    handle([this](const thespis::wakeup_message& w) {
      const int beat = w.payload.get<int>();
      beats_.push_back(beat);
      wakeup_after(1s, beat + 1);  // again in one (virtual) second
    });
    handle([this](const beats_request&, const thespis::address& from) { send(from, beats_); });
  }

 private:
  std::vector<int> beats_;
};

int main() {
  thespis::actor_system sys{thespis::system_config{.base = "simple"}};
  auto h = sys.create_actor<heartbeat>();
  sys.tell(h, start{});
  sys.advance_time(10s + 500ms);  // returns at once: the clock is virtual
  auto beats = sys.ask<std::vector<int>>(h, beats_request{}, 1s);
  std::cout << "beats after 10.5 virtual seconds: " << (beats ? beats->size() : 0) << '\n';
  return beats && beats->size() == 10 ? 0 : 1;
}
