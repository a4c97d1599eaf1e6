// What the CAF peer benchmarks share: a CAF system with the row's worker count, the atoms the
// workloads use, and a blocking request from the benchmark's thread. CAF 0.17 (Debian's
// libcaf-dev); only this folder includes CAF.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <utility>

#include "bench/suite.hpp"

namespace bench::caf_peer {

/// A CAF configuration whose scheduler runs `workers` threads (CAF's default work stealing).
class worker_config : public caf::actor_system_config {
 public:
  explicit worker_config(unsigned workers) {
    set("scheduler.max-threads", static_cast<caf::config_value::integer>(workers));
  }
};

/// A CAF actor system for one benchmark row: range(0) is its worker count.
class system_for_row {
 public:
  explicit system_for_row(const benchmark::State& state) : config_(workers_of(state)) {}

  caf::actor_system& get() noexcept { return system_; }

 private:
  worker_config config_;
  caf::actor_system system_{config_};
};

// Atoms name the messages, CAF 0.17's idiom (at most ten characters each).
using go_atom = caf::atom_constant<caf::atom("go")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using item_atom = caf::atom_constant<caf::atom("item")>;
using total_atom = caf::atom_constant<caf::atom("total")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using link_atom = caf::atom_constant<caf::atom("link")>;
using token_atom = caf::atom_constant<caf::atom("token")>;
using meet_atom = caf::atom_constant<caf::atom("meet")>;
using change_atom = caf::atom_constant<caf::atom("change")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using sum_atom = caf::atom_constant<caf::atom("sum")>;
using expect_atom = caf::atom_constant<caf::atom("expect")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

/// Sends `xs...` to `dest` as a request from the benchmark's thread and waits (up to
/// reply_timeout) for a reply of type R; std::nullopt on timeout or error.
template <class R, class... Ts>
std::optional<R> request_for(caf::scoped_actor& self, const caf::actor& dest, Ts&&... xs) {
  std::optional<R> result;
  self->request(dest, reply_timeout, std::forward<Ts>(xs)...)
      .receive([&](R& r) { result = std::move(r); }, [](const caf::error&) {});
  return result;
}

/// Waits (up to `timeout`) until at most `count` actors run; returns false on timeout. For
/// rows whose actors quit on their own, like workloads/*.cpp's wait_for_live_actors().
inline bool wait_for_running(caf::actor_system& sys, std::size_t count,
                             std::chrono::seconds timeout = reply_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sys.registry().running() > count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace bench::caf_peer
