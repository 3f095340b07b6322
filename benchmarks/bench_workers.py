"""Benchmark: what a second worker buys, and what Dask costs beside the process pool.

Runs `corridor-sim run SCENARIO -n N --no-plots` as a whole process, as a user runs it, on one
worker and on two, the two sides in turn (A B A B ...) so a change in the machine's load hits
both alike, and prints the wall-clock ratio pair by pair and its median. `--dask` times the
process pool against a Dask local cluster on the same number of workers instead.

    python benchmarks/bench_workers.py                   # the corridor, 8 replications, 2 pairs
    python benchmarks/bench_workers.py -n 20 --pairs 1
    python benchmarks/bench_workers.py --dask -n 20      # Dask against the pool, two workers each
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "middle_corridor.yaml"


def wall_seconds(scenario: str, replications: int, workers: int, executor: str) -> float:
    """Wall-clock seconds of one whole `run` into a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "corridor_sim", "run", scenario, "-n", str(replications), "--no-plots",
                   "--quiet", "--workers", str(workers), "-o", str(Path(tmp) / "run"),
                   *(["--executor", executor] if executor != "default" else [])]
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(SCENARIO))
    parser.add_argument("-n", "--replications", type=int, default=8)
    parser.add_argument("--pairs", type=int, default=2, help="interleaved pairs (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="the wider side's workers (default 2)")
    parser.add_argument("--dask", action="store_true", help="Dask against the process pool, both on --workers")
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.replications < 1 or args.workers < 2:
        parser.error("--pairs and -n must be at least 1, --workers at least 2")
    if args.dask:
        sides = (("default", args.workers), ("dask", args.workers))
        label = f"Dask / pool on {args.workers} workers"
    else:
        sides = (("default", 1), ("default", args.workers))
        label = f"speed-up, {args.workers} workers / 1"
    print(f"{Path(args.scenario).name}, {args.replications} replications; {sides[0]} against {sides[1]}")
    ratios = []
    for i in range(1, args.pairs + 1):
        a, b = (wall_seconds(args.scenario, args.replications, workers, executor) for executor, workers in sides)
        ratio = b / a if args.dask else a / b
        ratios.append(ratio)
        print(f"pair {i}: {a:6.1f} s against {b:6.1f} s wall; {label} {ratio:.2f}")
    print(f"median {label}: {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
