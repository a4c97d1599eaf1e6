#!/usr/bin/env python3
"""Runs the benchmark suite's binaries one workload at a time, with a progress display, and
merges their Google Benchmark JSON into one file. Used by scripts/bench.

Each workload (e.g. thespis/ping_pong, caf/ping_pong) runs in its own process, so one
workload's allocator caches and threads never colour the next one's figures; a workload's
Thespis and peer rows run one after the other, close in time. Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

# Prefixes of rows that belong to a system under comparison; their workload is the second part
# of the name. Any other row is a micro-benchmark, grouped by its first part.
SYSTEMS = ("thespis", "caf", "tbb_parallel_pipeline", "tbb_flow_graph")


def list_rows(binary):
    """Returns the row names a binary registers, in registration order."""
    out = subprocess.run([binary, "--benchmark_list_tests"], check=True, capture_output=True,
                         text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def group_of(row):
    """Returns (group, system) for a row: ("ping_pong", "caf"), or ("micro:mailbox", None)."""
    parts = row.split("/")
    if parts[0] in SYSTEMS:
        return parts[1], parts[0]
    return "micro:" + parts[0], None  # never the same group as a workload of the same name


def plan(binaries, row_filter):
    """Returns the runs to make: (label, binary, filter regex), each workload's systems together."""
    by_workload = {}  # workload -> {(system, binary): [rows]}, in order of first appearance
    for binary in binaries:
        for row in list_rows(binary):
            if row_filter and not re.search(row_filter, row):
                continue
            if row in PROBE_ROWS:
                continue  # taken around every workload instead
            workload, system = group_of(row)
            by_workload.setdefault(workload, {}).setdefault((system, binary), []).append(row)
    runs = []
    for workload, systems in by_workload.items():
        for (system, binary), rows in systems.items():
            label = f"{system}/{workload}" if system else workload.removeprefix("micro:")
            # Row names hold only [a-z0-9_:/], none special to a regex.
            runs.append((label, binary, "^(" + "|".join(rows) + ")$"))
    return runs


PROBE_ROW = "machine/core_to_core_round_trip/real_time"
CHASE_ROW = "machine/single_core_chase/real_time"
PROBE_ROWS = (PROBE_ROW, CHASE_ROW)
# A probe reading above this (ns) means the host had the two vCPUs far apart around a run (see
# docs/benchmarks.md); such a run is made again, up to --far-retries times.
FAR_NS = 200
# A one-core reading above this many times the lowest one of the suite's run means the host had
# slowed the vCPU itself (its clock, or its share of the cache): made again too.
SLOW_FACTOR = 1.5


def probe(binary):
    """Returns the machine's readings now (short runs): (core-to-core round trip ns, one core's
    ns per dependent load), either None if the binary has no such row or it failed."""
    out = subprocess.run([binary, "--benchmark_filter=^(" + "|".join(PROBE_ROWS) + ")$",
                          "--benchmark_min_time=0.05", "--benchmark_format=json"],
                         capture_output=True, text=True)
    try:
        rows = {r["name"]: r for r in json.loads(out.stdout)["benchmarks"]}
    except (ValueError, KeyError):
        return None, None
    c2c = rows.get(PROBE_ROW, {}).get("ns_per_round_trip")
    chase = rows.get(CHASE_ROW, {}).get("ns_per_hop")
    return c2c, chase


def judge(before, after, chase_floor):
    """Judges the probes' readings around a run: returns (far, slow, the new floor), where the
    floor is the lowest one-core reading so far (None before any), this run's included."""
    chases = [r for r in (before[1], after[1]) if r is not None]
    if chases:
        chase_floor = min(chases + ([chase_floor] if chase_floor is not None else []))
    far = None not in (before[0], after[0]) and max(before[0], after[0]) > FAR_NS
    slow = bool(chases) and max(chases) > SLOW_FACTOR * chase_floor
    return far, slow, chase_floor


def describe(before, after):
    """The probes' readings before/after a run, as text."""
    text = []
    if None not in (before[0], after[0]):
        text.append(f"core-to-core {before[0]:.0f}/{after[0]:.0f} ns")
    if None not in (before[1], after[1]):
        text.append(f"one core {before[1]:.1f}/{after[1]:.1f} ns/hop")
    return ", ".join(text)


def run_one(binary, regex, json_path, extra, log):
    """Runs one workload; returns (exit status, the rows of its JSON report)."""
    command = [binary, f"--benchmark_filter={regex}", f"--benchmark_out={json_path}",
               "--benchmark_out_format=json", *extra]
    log.write("$ " + " ".join(command) + "\n")
    log.flush()
    status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
    rows = []
    if os.path.exists(json_path):
        with open(json_path) as f:
            report = json.load(f)
        rows = report.get("benchmarks", [])
        context = report.get("context", {})
    else:
        context = {}
    return status, rows, context


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--filter", default="", help="only rows matching this regex")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, results only")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--far-retries", type=int, default=2,
                        help="runs again a workload whose probe read far, up to this many times")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()

    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    extra = ["--smoke"] if args.smoke else [
        f"--benchmark_repetitions={args.repetitions}", "--benchmark_report_aggregates_only=true"]
    runs = plan(args.binaries, args.filter)
    # The machine probe, taken before and after every run (not in smoke mode: it measures).
    prober = next((b for b in args.binaries if PROBE_ROW in list_rows(b)), None)
    if args.smoke:
        prober = None
    # The lowest one-core reading so far: a few readings first, so that the first workload
    # is not its own baseline.
    chase_floor = None
    if prober:
        chase_floor = min((r for r in (probe(prober)[1] for _ in range(3)) if r is not None),
                          default=None)
    merged = {"context": {}, "benchmarks": []}
    failed = []
    start = time.monotonic()
    with open(os.path.join(args.out, "bench.log"), "w") as log:
        for i, (label, binary, regex) in enumerate(runs, 1):
            print(f"[{i:2}/{len(runs)}] {label:<40} ...", end="", flush=True)
            began = time.monotonic()
            json_path = os.path.join(raw, label.replace("/", "__") + ".json")
            # Runs it; again if a probe read far or slow around it (every system alike), keeping
            # the last run and saying how many were set aside.
            for attempt in range(args.far_retries + 1):
                before = probe(prober) if prober else (None, None)
                status, rows, context = run_one(binary, regex, json_path, extra, log)
                after = probe(prober) if prober else (None, None)
                far, slow, chase_floor = judge(before, after, chase_floor)
                if not (far or slow):
                    break
                log.write(f"# probes read {describe(before, after)} around that run: set aside "
                          f"({'far' if far else ''}{', ' if far and slow else ''}"
                          f"{'slow' if slow else ''})\n")
            for row in rows:
                if None not in (before[0], after[0]):
                    row["core_to_core_ns"] = [before[0], after[0]]
                if None not in (before[1], after[1]):
                    row["single_core_ns"] = [before[1], after[1]]
                if prober:
                    row["far_runs_set_aside"] = attempt
            merged["context"] = merged["context"] or context
            merged["benchmarks"].extend(rows)
            errors = [r["name"] for r in rows if r.get("error_occurred")]
            verdict = "ok" if status == 0 and not errors else f"FAILED (exit {status})"
            if verdict != "ok":
                failed.append(label)
            probed = "  " + describe(before, after) if prober else ""
            if prober and attempt:
                probed += f" ({attempt} far or slow run{'s' if attempt > 1 else ''} set aside)"
            print(f" {verdict}  {time.monotonic() - began:6.1f} s{probed}", flush=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(merged, f, indent=1)
    print(f"{len(runs)} workloads in {time.monotonic() - start:.0f} s"
          + (f"; FAILED: {', '.join(failed)} (see bench.log)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
