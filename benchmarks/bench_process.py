"""Benchmark: what a user pays for a whole `corridor-sim run`, against the same trucks in plain SimPy.

The contract tandem (`tests/fixtures/contract/tandem_mmc.yaml`: its 10 replications, about 240,000
trucks, one worker, no plots) as a whole `corridor-sim run` process, start-up, tables and summary
included, against `bench_tandem.py --plain-process 10` (the same queue and trucks written as a
bare SimPy program, in its own process). The two run in turn (A B A B ...) so a change in the
machine's load hits both alike; the ratio of their CPU seconds (user + system) is taken pair by
pair, and the median printed.

    python benchmarks/bench_process.py                      # 3 pairs, CSV tables
    python benchmarks/bench_process.py --pairs 5 --format parquet
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_startup import cpu_seconds  # this script's directory is on the path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "fixtures" / "contract" / "tandem_mmc.yaml"
REPLICATIONS = 10  # the contract's


def ours(fmt: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return cpu_seconds([sys.executable, "-m", "corridor_sim", "run", str(SCENARIO), "-n", str(REPLICATIONS),
                            "--no-plots", "--quiet", "--format", fmt, "-o", str(Path(tmp) / "run")])


def plain() -> float:
    return cpu_seconds([sys.executable, str(ROOT / "benchmarks" / "bench_tandem.py"), "--plain-process", str(REPLICATIONS)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="interleaved pairs (default 3)")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help="the run's tables (default csv)")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    ours(args.format), plain()  # warm the file cache
    ratios = []
    for i in range(1, args.pairs + 1):
        a, b = ours(args.format), plain()
        ratios.append(a / b)
        print(f"pair {i}: corridor-sim run {a:5.2f} s CPU, plain SimPy {b:5.2f} s, ratio {a / b:.2f}")
    print(f"median ratio ({args.format}): {statistics.median(ratios):.2f} (goal 1.0 or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
