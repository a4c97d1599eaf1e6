#!/usr/bin/env python3
"""A/B of two builds of thespis_bench: runs them interleaved, round after round (A then B, then
B then A), with the machine probes (machine/core_to_core_round_trip, machine/single_core_chase)
read before and after each round, and prints per row the median and minimum of every ns_per_*
figure, separately for rounds where the probes read near (round trip <= 200 ns), far (a vCPU
placement episode) and slow (one core's reading above 1.5x the lowest so far; see
docs/benchmarks.md). This is how the commit messages' before/after figures were taken.

usage: scripts/bench_ab.py ROUNDS FILTER BINARY_A BINARY_B [extra Google Benchmark flags]
e.g.:  scripts/bench_ab.py 5 'thespis/(counting|pipeline)/' /tmp/before /tmp/after
"""

import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_suite import judge, probe  # noqa: E402  (the suite's probes, one copy)


def run(binary, row_filter, extra):
    # As the suite does (bench/suite_main.cpp sets it too): glibc keeps its heap's top.
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="1073741824")
    out = subprocess.run([binary, f"--benchmark_filter={row_filter}", "--benchmark_format=json",
                          *extra], capture_output=True, text=True, env=env).stdout
    figures = {}
    for row in json.loads(out)["benchmarks"]:
        for key, value in row.items():
            if key.startswith("ns_per_"):
                figures[row["name"].replace("/real_time", "")] = value
    return figures


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    rounds, row_filter, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    extra = sys.argv[5:]
    data = {"A": {}, "B": {}}
    # The probes come from whichever binary has them (an old build may lack the one-core row).
    prober = max((a, b), key=lambda binary: sum(r is not None for r in probe(binary)))
    chase_floor = None
    for i in range(rounds):
        order = [("A", a), ("B", b)] if i % 2 == 0 else [("B", b), ("A", a)]
        before = probe(prober)
        got = {label: run(binary, row_filter, extra) for label, binary in order}
        after = probe(prober)
        far, slow, chase_floor = judge(before, after, chase_floor)
        mode = "far" if far else "slow" if slow else "near"
        one_core = (f", one core {before[1]:.1f}/{after[1]:.1f} ns/hop"
                    if None not in (before[1], after[1]) else "")
        print(f"round {i}: probes {before[0]:.0f}/{after[0]:.0f} ns{one_core} ({mode})",
              flush=True)
        for label in ("A", "B"):
            for name, value in got[label].items():
                data[label].setdefault((mode, name), []).append(value)
    for key in sorted(set(data["A"]) | set(data["B"])):
        av, bv = data["A"].get(key, []), data["B"].get(key, [])
        if av and bv:
            print(f"{key[0]:4} {key[1]:50} A median {statistics.median(av):9.1f} min {min(av):9.1f}"
                  f" | B median {statistics.median(bv):9.1f} min {min(bv):9.1f}  (rounds {len(av)})")


if __name__ == "__main__":
    main()
