// Shows the basics: an actor with one handler per message type, tell, and ask from outside.
#include <chrono>
#include <iostream>
#include <string>

#include <thespis/thespis.hpp>

struct greet {
  std::string name;
};
struct greeting {
  std::string text;
};

class greeter : public thespis::actor {
 public:
  greeter() {
    handle([this](const greet& g, const thespis::address& from) {
      ++count_;
      send(from, greeting{"hello, " + g.name + " (#" + std::to_string(count_) + ")"});
    });
  }

 private:
  int count_ = 0;
};

int main() {
  thespis::actor_system sys;  // threaded base, one worker per hardware thread
  thespis::address g = sys.create_actor<greeter>();
  sys.tell(g, greet{"nobody"});  // the reply waits for sys.listen()
  auto reply = sys.ask<greeting>(g, greet{"world"}, std::chrono::seconds(1));
  std::cout << (reply ? reply->text : reply.description()) << '\n';  // why, if none
  auto told = sys.listen(std::chrono::seconds(1));                   // the reply to the tell
  if (told && told->is<greeting>()) std::cout << told->get<greeting>().text << '\n';
  return reply && told ? 0 : 1;
}  // ~actor_system: every actor gets an actor_exit_request, then the workers stop
