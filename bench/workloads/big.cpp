// big (Savina): w actors each ping a randomly chosen neighbour n times and wait for the pong
// before the next ping; many-to-many messaging with every actor busy at once. 2 * n * w messages.
#include <cstdint>
#include <memory>
#include <vector>

#include "bench/bench_support.hpp"

namespace {

using neighbourhood = std::shared_ptr<const std::vector<thespis::address>>;

struct go {
  neighbourhood all;
  std::int64_t pings;
};
struct begin {
  neighbourhood all;
  std::int64_t pings;
  thespis::address sink;
};
struct ping {};
struct pong {};
struct finished {
  std::int64_t pongs;
};
struct all_finished {
  std::int64_t pongs;
};

class big_worker : public thespis::actor {
 public:
  explicit big_worker(std::uint32_t seed) : random_(seed * 2654435761u + 1) {
    handle([this](const begin& b) {
      all_ = b.all;
      pings_left_ = b.pings;
      pongs_ = 0;
      sink_ = b.sink;
      ping_someone();
    });
    handle([this](ping, const thespis::address& from) { send(from, pong{}); });
    handle([this](pong) {
      ++pongs_;
      if (pings_left_ > 0) {
        ping_someone();
      } else {
        send(sink_, finished{pongs_});
      }
    });
  }

 private:
  void ping_someone() {
    random_ = random_ * 1664525u + 1013904223u;  // an LCG: cheap, and the same on every run
    --pings_left_;
    send((*all_)[(random_ >> 8) % all_->size()], ping{});
  }

  std::uint32_t random_;
  neighbourhood all_;
  std::int64_t pings_left_ = 0;
  std::int64_t pongs_ = 0;
  thespis::address sink_;
};

// Starts every worker and answers the asker once all have finished.
class big_sink : public thespis::actor {
 public:
  big_sink() {
    handle([this](const go& g, const thespis::address& from) {
      client_ = from;
      waiting_ = static_cast<std::int64_t>(g.all->size());
      pongs_ = 0;
      for (const auto& w : *g.all)
        send(w, begin{g.all, g.pings, self()});
    });
    handle([this](const finished& f) {
      pongs_ += f.pongs;
      if (--waiting_ == 0) send(client_, all_finished{pongs_});
    });
  }

 private:
  thespis::address client_;
  std::int64_t waiting_ = 0;
  std::int64_t pongs_ = 0;
};

void run(benchmark::State& state) {
  const std::int64_t w = bench::size("big.actors", 120, 8);
  const std::int64_t n = bench::size("big.pings", 20'000, 100);
  thespis::actor_system sys{bench::threaded_config(state)};
  auto workers = std::make_shared<std::vector<thespis::address>>();
  for (std::int64_t i = 0; i < w; ++i)
    workers->push_back(sys.create_actor<big_worker>(static_cast<std::uint32_t>(i)));
  const auto sink = sys.create_actor<big_sink>();
  bench::stopwatch clock;
  for (auto _ : state) {
    const auto done = bench::ask_for<all_finished>(sys, sink, go{workers, n});
    if (!done || done->pongs != n * w) {
      bench::fail(state, "big: no reply, or a wrong number of pongs");
      break;
    }
  }
  bench::report_items(state, 2 * n * w, "ns_per_msg", clock);
}

[[maybe_unused]] auto* const registered = bench::register_workload("thespis/big", run);

}  // namespace
