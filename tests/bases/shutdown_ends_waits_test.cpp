// Outside code waiting on a system that shuts down: once no actor is left to answer, an ask or a
// listen that would wait longer returns. Threaded base only: on the simple base ask and listen
// never wait (everything has run by the time they look).
#include <catch2/catch.hpp>

#include <chrono>
#include <future>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;
using thespis::test::eventually;

namespace {
struct question {};

// Takes every question and answers none.
class mute : public thespis::actor {
 public:
  mute() {
    handle([](const question&) {});
  }
};

// Answers an int with the same int.
class echo : public thespis::actor {
 public:
  echo() {
    handle([this](int n, const address& from) { send(from, n); });
  }
};

// Far longer than answer_within: a wait that ends within that did not run out.
constexpr auto long_wait = std::chrono::seconds(90);
}  // namespace

TEST_CASE("an outside ask nobody will answer returns once shutdown has ended every actor",
          "[shutdown]") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  address m = sys.create_actor<mute>();
  auto asked = std::async(std::launch::async, [&] { return sys.ask(m, question{}, long_wait); });
  REQUIRE(eventually([&] {  // the question was handled, and not answered
    auto status = sys.ask<thespis::actor_status>(m, thespis::status_request{}, answer_within);
    return status && status->messages_processed == 1;
  }));

  REQUIRE(sys.shutdown().clean());

  REQUIRE(asked.wait_for(answer_within) == std::future_status::ready);
  const auto answer = asked.get();
  CHECK_FALSE(answer);
  CHECK(answer.failure() == thespis::ask_failure::shut_down);
  CHECK_THROWS_AS(answer.value(), thespis::system_shut_down);
  CHECK(sys.dead_letter_count() == 0);  // no reply was lost: none was sent
}

TEST_CASE("after a clean shutdown, listen returns what came before, then nothing without waiting",
          "[shutdown]") {
  thespis::actor_system sys{config_for<thespis::test::threaded_base>()};
  address e = sys.create_actor<echo>();
  auto listened = std::async(std::launch::async, [&] {
    auto first = sys.listen(long_wait);  // the echo of 7
    auto second = sys.listen(long_wait);
    return std::make_pair(std::move(first), std::move(second));
  });
  sys.tell(e, 7);

  REQUIRE(sys.shutdown().clean());

  REQUIRE(listened.wait_for(answer_within) == std::future_status::ready);
  auto [first, second] = listened.get();
  REQUIRE(first);
  CHECK(first->get<int>() == 7);
  CHECK_FALSE(second);
}
