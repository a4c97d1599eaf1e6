// Behaviour every base must show when handlers use oneTBB themselves — a parallel_for over a
// batch, work confined to an arena of their own — as users of a TBB-based runtime will.
#include <catch2/catch.hpp>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "support/bases.hpp"

using thespis::address;
using thespis::test::answer_within;
using thespis::test::config_for;

namespace {
struct value {
  int n;
};
struct get_values {};
struct values {
  std::vector<int> received;
};

class recorder : public thespis::actor {
 public:
  recorder() {
    handle([this](const value& v) { received_.push_back(v.n); });
    handle([this](const get_values&, const address& from) { send(from, values{received_}); });
  }

 private:
  std::vector<int> received_;
};

struct tell_all {
  std::vector<address> to;
};
struct told {};

// Tells each of `to` its index from inside an arena of its own with no worker thread (one slot,
// kept for the thread that enters it), then answers.
class arena_user : public thespis::actor {
 public:
  arena_user() {
    handle([this](const tell_all& m, const address& from) {
      arena_.execute([&] {
        for (std::size_t i = 0; i < m.to.size(); ++i)
          send(m.to[i], value{static_cast<int>(i)});
      });
      send(from, told{});
    });
  }

 private:
  tbb::task_arena arena_{1};
};
}  // namespace

// A oneTBB task spawned inside another arena stays there: the receivers the handler woke must
// still run on the system's workers.
TEMPLATE_TEST_CASE("actors told from inside a handler's own task arena all get their message",
                   "[tbb]", THESPIS_BASES) {
  thespis::actor_system sys{config_for<TestType>()};
  tell_all m;
  for (int i = 0; i < 8; ++i)
    m.to.push_back(sys.create_actor<recorder>());
  const std::vector<address> receivers = m.to;
  // Once it answered, its messages are in the receivers' mailboxes, ahead of the asks below.
  REQUIRE(sys.template ask<told>(sys.create_actor<arena_user>(), std::move(m), answer_within));
  for (std::size_t i = 0; i < receivers.size(); ++i) {
    auto got = sys.template ask<values>(receivers[i], get_values{}, answer_within);
    REQUIRE(got);
    CHECK(got->received == std::vector<int>{static_cast<int>(i)});
  }
}

namespace {
struct crunch {
  int seq;
};
struct crunched {
  int sender;
  int seq;
  std::int64_t sum;
};
struct get_report {};
struct report {
  std::vector<std::vector<int>> seqs;  // per sender, in arrival order
  std::int64_t sums = 0;
  int overlaps = 0;
};

// Sums 0..size-1 with a parallel_for on each message, then reports to `sink`. While the handler
// waits for the loop, its thread may run other tasks of the arena — other actors' activations,
// nested in this one; none may be this actor's, and its next send must still be its own.
class cruncher : public thespis::actor {
 public:
  cruncher(int id, address sink) : id_(id), sink_(std::move(sink)) {
    handle([this](const crunch& c) {
      if (inside_.exchange(true, std::memory_order_acq_rel)) ++overlaps_;
      std::atomic<std::int64_t> sum{0};
      tbb::parallel_for(tbb::blocked_range<int>(0, size, 64),
                        [&](const tbb::blocked_range<int>& r) {
                          std::int64_t part = 0;
                          for (int i = r.begin(); i != r.end(); ++i)
                            part += i;
                          sum.fetch_add(part, std::memory_order_relaxed);
                        });
      send(sink_, crunched{id_, c.seq, sum.load() + overlaps_});  // a wrong sum shows an overlap
      inside_.store(false, std::memory_order_release);
    });
  }
  static constexpr int size = 4096;

 private:
  const int id_;
  const address sink_;
  std::atomic<bool> inside_{false};
  int overlaps_ = 0;
};

class cruncher_sink : public thespis::actor {
 public:
  explicit cruncher_sink(int senders) {
    report_.seqs.resize(static_cast<std::size_t>(senders));
    handle([this](const crunched& c) {
      report_.seqs[static_cast<std::size_t>(c.sender)].push_back(c.seq);
      report_.sums += c.sum;
    });
    handle([this](const get_report&, const address& from) { send(from, report_); });
  }

 private:
  report report_;
};
}  // namespace

TEMPLATE_TEST_CASE("handlers that run a parallel_for lose no message and keep each sender's order",
                   "[tbb]", THESPIS_BASES) {
  constexpr int senders = 16;
  constexpr int per_sender = 200;
  thespis::actor_system sys{config_for<TestType>()};
  address sink = sys.create_actor<cruncher_sink>(senders);
  std::vector<address> crunchers;
  for (int s = 0; s < senders; ++s)
    crunchers.push_back(sys.create_actor<cruncher>(s, sink));
  for (int seq = 0; seq < per_sender; ++seq)
    for (const auto& c : crunchers)
      sys.tell(c, crunch{seq});
  constexpr std::int64_t one_sum = std::int64_t{cruncher::size} * (cruncher::size - 1) / 2;
  std::vector<int> in_order(per_sender);
  for (int seq = 0; seq < per_sender; ++seq)
    in_order[static_cast<std::size_t>(seq)] = seq;
  REQUIRE(thespis::test::eventually([&] {
    auto r = sys.template ask<report>(sink, get_report{}, answer_within);
    return r && r->sums == one_sum * senders * per_sender &&
           std::all_of(r->seqs.begin(), r->seqs.end(),
                       [&](const std::vector<int>& s) { return s.size() == per_sender; });
  }));
  auto r = sys.template ask<report>(sink, get_report{}, answer_within);
  REQUIRE(r);
  for (const auto& s : r->seqs)
    CHECK(s == in_order);
}
