"""Benchmark: the bundled corridor at real scale, the whole `corridor-sim run` as a user runs it.

Runs `corridor-sim run scenarios/middle_corridor.yaml` (its 10 replications) on two workers in a
fresh process, writing to a temporary directory, and prints the wall-clock seconds, the trucks
simulated per replication and whether it stayed within the 60 s budget a workshop can wait.

    python benchmarks/bench_real_scale.py              # once
    python benchmarks/bench_real_scale.py -r 3         # three times, best and median
    python benchmarks/bench_real_scale.py --plots      # with the plots, as a bare `run` makes them
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 60.0


def once(scenario: str, workers: int, plots: bool) -> tuple[float, float]:
    """(wall seconds, trucks simulated per replication) of one whole run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-m", "corridor_sim", "run", scenario, "--workers", str(workers), "--quiet",
                   "-o", str(out), *([] if plots else ["--no-plots"])]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - start
        lines = (out / "replications.jsonl").read_text(encoding="utf-8").splitlines()
        created = [json.loads(line)["created"] for line in lines]
    return seconds, statistics.fmean(created)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "middle_corridor.yaml"))
    parser.add_argument("-r", "--repeat", type=int, default=1, help="whole runs to time (default 1)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plots", action="store_true", help="make the plots too")
    args = parser.parse_args(argv)
    runs = [once(args.scenario, args.workers, args.plots) for _ in range(args.repeat)]
    for i, (seconds, trucks) in enumerate(runs, 1):
        print(f"run {i}: {seconds:6.1f} s, {trucks:,.0f} trucks a replication")
    times = [s for s, _ in runs]
    best, median = min(times), statistics.median(times)
    print(f"best {best:.1f} s, median {median:.1f} s: {'within' if median <= BUDGET_S else 'OVER'} the {BUDGET_S:.0f} s budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
