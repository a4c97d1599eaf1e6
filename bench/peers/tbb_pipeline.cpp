// pipeline peers from oneTBB: the same source -> map (3x+1) -> sink over 0..n-1 as
// workloads/pipeline.cpp, once as tbb::parallel_pipeline (serial source and sink, parallel map)
// and once as a tbb::flow::graph of an input_node and two function_nodes. Each runs in a
// task_arena with the row's worker count.
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <cstdint>

#include "bench/suite.hpp"

namespace {

// A closure, not a function: oneTBB stores the body by value.
constexpr auto transform = [](std::int64_t x) { return 3 * x + 1; };

std::int64_t expected_sum(std::int64_t n) {
  return 3 * (n * (n - 1) / 2) + n;
}

// Returns the sink's sum of one parallel_pipeline run.
std::int64_t run_parallel_pipeline(std::int64_t n, std::size_t live_tokens) {
  std::int64_t next = 0;
  std::int64_t sum = 0;
  tbb::parallel_pipeline(
      live_tokens,
      tbb::make_filter<void, std::int64_t>(tbb::filter_mode::serial_in_order,
                                           [&](tbb::flow_control& fc) -> std::int64_t {
                                             if (next == n) fc.stop();
                                             return next++;
                                           }) &
          tbb::make_filter<std::int64_t, std::int64_t>(tbb::filter_mode::parallel, transform) &
          tbb::make_filter<std::int64_t, void>(tbb::filter_mode::serial_in_order,
                                               [&](std::int64_t v) { sum += v; }));
  return sum;
}

// Returns the sink's sum of one flow graph run.
std::int64_t run_flow_graph(std::int64_t n) {
  tbb::flow::graph g;
  std::int64_t next = 0;
  std::int64_t sum = 0;
  tbb::flow::input_node<std::int64_t> source(g, [&](tbb::flow_control& fc) -> std::int64_t {
    if (next == n) fc.stop();
    return next++;
  });
  tbb::flow::function_node<std::int64_t, std::int64_t> map(g, tbb::flow::unlimited, transform);
  tbb::flow::function_node<std::int64_t> sink(g, tbb::flow::serial, [&](std::int64_t v) {
    sum += v;
    return tbb::flow::continue_msg{};
  });
  tbb::flow::make_edge(source, map);
  tbb::flow::make_edge(map, sink);
  source.activate();
  g.wait_for_all();
  return sum;
}

template <class Run>
void run(benchmark::State& state, Run&& pipeline_once) {
  const std::int64_t n = bench::size("pipeline.items", 1'000'000, 10'000);
  tbb::task_arena arena(static_cast<int>(bench::workers_of(state)));
  bench::stopwatch clock;
  for (auto _ : state) {
    std::int64_t sum = 0;
    arena.execute([&] { sum = pipeline_once(n); });
    if (sum != expected_sum(n)) {
      bench::fail(state, "pipeline (oneTBB): a wrong sum");
      break;
    }
  }
  bench::report_items(state, n, "ns_per_item", clock);
}

void parallel_pipeline(benchmark::State& state) {
  const std::size_t tokens = 4 * bench::workers_of(state);  // enough to keep every worker busy
  run(state, [tokens](std::int64_t n) { return run_parallel_pipeline(n, tokens); });
}
void flow_graph(benchmark::State& state) {
  run(state, run_flow_graph);
}

[[maybe_unused]] auto* const pipeline_row =
    bench::register_workload("tbb_parallel_pipeline/pipeline", parallel_pipeline);
[[maybe_unused]] auto* const graph_row =
    bench::register_workload("tbb_flow_graph/pipeline", flow_graph);

}  // namespace
