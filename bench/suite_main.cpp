// The main() of every suite binary: Google Benchmark's, plus two flags of the suite and an exit
// status that is non-zero when a workload computed a wrong result.
//   --smoke             tiny sizes, one iteration per row: checks results, measures nothing
//   --size NAME=VALUE   overrides one workload parameter, e.g. --size ping_pong.pings=1000
// and one internal mode, `--idle-memory-child ACTORS WORKERS plain|timer`, in which the binary
// measures idle actor memory in a fresh process for a memory row and prints
// "before all_alive after_exit".
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/suite.hpp"

namespace {

// Records --size NAME=VALUE; returns false if the value is malformed.
bool parse_size(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  char* end = nullptr;
  const long long value = std::strtoll(assignment.c_str() + eq + 1, &end, 10);
  if (*end != '\0' || value <= 0) return false;
  bench::size_overrides[assignment.substr(0, eq)] = value;
  return true;
}

// Takes the suite's own flags out of argv (Google Benchmark rejects flags it does not know).
bool take_suite_flags(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--smoke") {
      bench::smoke_mode = true;
    } else if (arg == "--size" && i + 1 < argc) {
      if (!parse_size(argv[++i])) return false;
    } else if (arg.rfind("--size=", 0) == 0) {
      if (!parse_size(arg.substr(7))) return false;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return true;
}

// The --idle-memory-child mode; returns the exit status.
int run_idle_memory_child(const char* actors, const char* workers, const char* kind) {
  bench::idle_memory m;
  const bool ok = bench::measure_idle_memory_here(
      std::atoll(actors), static_cast<unsigned>(std::atoi(workers)),
      std::strcmp(kind, "timer") == 0 ? bench::idle_kind::with_timer : bench::idle_kind::plain, m);
  for (const auto& s : {m.before, m.all_alive, m.after_exit})
    std::printf("%lld ", static_cast<long long>(s.rss));
  std::printf("\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--idle-memory-child") == 0)
    return run_idle_memory_child(argv[2], argv[3], argv[4]);
  // Payload buffers (the batched pipeline's vectors) come from glibc's malloc, which by default
  // gives the top of its heap back to the system as soon as 128 KiB of it is free: a workload
  // that frees its whole backlog between iterations then pays page faults to get it back, and
  // the figure measures glibc's trimming, not the actor runtime (2x on pipeline_batched). Every
  // suite binary, Thespis's and the peers', keeps freed memory instead; the idle-memory child
  // above keeps glibc's default, since it measures what is given back.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (!take_suite_flags(argc, argv)) {
    std::fprintf(stderr, "usage: %s [--smoke] [--size NAME=VALUE]... [benchmark flags]\n", argv[0]);
    return 2;
  }
  // Smoke mode: one iteration is enough time for every row (results only, no measurement).
  std::vector<char*> args(argv, argv + argc);
  std::string min_time = "--benchmark_min_time=0.000000001";
  if (bench::smoke_mode) args.push_back(min_time.data());
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  const int failed = bench::failures.load();
  if (failed != 0) std::fprintf(stderr, "%d workload(s) computed a wrong result\n", failed);
  return failed == 0 ? 0 : 1;
}
