// The Thespis benchmark binary: every workload registers itself in its own file.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
