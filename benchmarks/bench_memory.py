"""Benchmark: peak memory of a whole `corridor-sim run`, and whether it grows with replications.

Runs the contract tandem (`tests/fixtures/contract/tandem_mmc.yaml`) with its horizon stretched so
one replication counts about a million trucks, as a whole process on one worker without plots,
once per replication count asked, each in a fresh child process, and prints the child's peak
resident memory (the kernel's high-water mark, as `/usr/bin/time -f %M` reports it).

    python benchmarks/bench_memory.py                  # 1 and 2 replications of ~10^6 trucks
    python benchmarks/bench_memory.py -n 1 -n 2 -n 4 --days 2000
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "fixtures" / "contract" / "tandem_mmc.yaml"
DAYS = 16667  # about 60 counted trucks an hour: ~10^6 trucks a replication
BUDGET_MIB = 1024

# The child runs the command in its own process and reports its peak RSS: the children's
# accounting of this script would hold the largest of all its children, not each one's.
CHILD = """
import resource, runpy, sys
sys.argv = ["corridor-sim", *sys.argv[1:]]
try:
    runpy.run_module("corridor_sim", run_name="__main__")
except SystemExit as exc:
    if exc.code:
        raise
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_mib(replications: int, days: int) -> tuple[float, float, int]:
    """(peak MiB, wall seconds, counted trucks a replication) of one whole run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-c", CHILD, "run", str(SCENARIO), "-n", str(replications),
                   "--set", f"clock.horizon={days}d", "--set", "clock.warmup=0", "--no-plots", "--quiet",
                   "-o", str(out)]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KIB"))
        lines = (out / "replications.jsonl").read_text(encoding="utf-8").splitlines()
        counted = [json.loads(line)["groups"]["*"]["trucks"] for line in lines]
    return peak / 1024, seconds, round(sum(counted) / len(counted))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--replications", type=int, action="append",
                        help="replications of one run (repeatable; default 1 and 2)")
    parser.add_argument("--days", type=int, default=DAYS, help=f"the horizon in days (default {DAYS})")
    args = parser.parse_args(argv)
    counts = args.replications or [1, 2]
    if min(counts) < 1 or args.days < 1:
        parser.error("-n and --days must be at least 1")
    for n in counts:
        mib, seconds, trucks = peak_mib(n, args.days)
        verdict = "within" if mib <= BUDGET_MIB else "OVER"
        print(f"{n} replication(s) of {trucks:,} counted trucks: peak {mib:,.0f} MiB ({verdict} {BUDGET_MIB} MiB), "
              f"{seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
