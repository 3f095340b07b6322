"""Benchmark: the default workshop kit, `corridor-sim workshop` with no files, as a user builds it.

Runs `corridor-sim workshop` (the bundled corridor and the six measure overlays of the README's
headline comparison, up to three at once: 42 scenarios of 10 replications) on two workers in a
fresh process, writing to a temporary directory, and prints the wall-clock time, the runs and
seconds per run, the page's size, and whether it stayed within the issue's budget: 30 minutes
on two cores and a page of at most 10 MB. `--max-size` and `-n` build a smaller kit of the same
corridor (a quick check that it starts; the time per run then projects the full kit's).

    python benchmarks/bench_workshop.py                       # the default kit (about 15 minutes on an idle machine)
    python benchmarks/bench_workshop.py --max-size 1 -n 1     # 7 runs, to check it starts
    python benchmarks/bench_workshop.py --check               # exit 1 over budget
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 30 * 60.0
BUDGET_BYTES = 10_000_000
FULL_RUNS = 42 * 10  # the default kit: the base and 6 + 15 + 20 combinations, × 10 replications


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-size", type=int, help="combine at most K measures (default 3, the default kit)")
    parser.add_argument("-n", "--replications", type=int, help="replications (default: the corridor's 10)")
    parser.add_argument("--check", action="store_true", help="exit with 1 if the kit (or its projection) is over budget")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "kit.html"
        command = [sys.executable, "-m", "corridor_sim", "workshop", "--workers", str(args.workers), "--quiet",
                   "-o", str(page)]
        command += ["--max-size", str(args.max_size)] if args.max_size else []
        command += ["-n", str(args.replications)] if args.replications else []
        start = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - start
        size = page.stat().st_size
        manifest = json.loads((Path(tmp) / "kit-data" / "manifest.json").read_text(encoding="utf-8"))
    runs = manifest["run_replications"]
    per_run = seconds / runs
    print(f"{len(manifest['scenarios'])} scenarios × {manifest['replications']} replications = {runs} runs in "
          f"{seconds:.1f} s on {args.workers} workers ({per_run:.2f} s a run); page {size / 1e6:.2f} MB")
    full = runs == FULL_RUNS
    projected = seconds if full else per_run * FULL_RUNS
    verdict = "within" if projected <= BUDGET_S and (not full or size <= BUDGET_BYTES) else "OVER"
    print(f"{'the default kit' if full else f'projected to the default kit ({FULL_RUNS} runs)'}: "
          f"{projected / 60:.1f} min, {verdict} the 30 min budget" + (f"; page {'within' if size <= BUDGET_BYTES else 'OVER'} 10 MB" if full else ""))
    return 1 if args.check and verdict == "OVER" else 0


if __name__ == "__main__":
    sys.exit(main())
