"""Benchmark: what a command costs before it does any work, against `import simpy, numpy`.

Each command runs as a whole process; the two sides of a pair run in turn (A B A B ...) so a
change in the machine's load hits both alike, and the ratio of their CPU seconds (user + system,
the children's accounting) is taken pair by pair. The median ratio is printed.

    python benchmarks/bench_startup.py              # validate, show, --help, schema; 5 pairs each
    python benchmarks/bench_startup.py --pairs 9
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "middle_corridor.yaml"
REFERENCE = [sys.executable, "-c", "import simpy, numpy"]
COMMANDS = {
    "validate": [sys.executable, "-m", "corridor_sim", "validate", str(SCENARIO)],
    "show": [sys.executable, "-m", "corridor_sim", "show", str(SCENARIO)],
    "--help": [sys.executable, "-m", "corridor_sim", "--help"],
    "schema": [sys.executable, "-m", "corridor_sim", "schema"],
}


def cpu_seconds(command: list[str]) -> float:
    """CPU seconds (user + system) of one run of `command` as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "COLUMNS": "100"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ratios(command: list[str], pairs: int) -> tuple[float, float, float]:
    """(median CPU ratio command / reference, median command s, median reference s)."""
    cpu_seconds(command), cpu_seconds(REFERENCE)  # warm the file cache
    ours, ref = [], []
    for _ in range(pairs):
        ours.append(cpu_seconds(command))
        ref.append(cpu_seconds(REFERENCE))
    return statistics.median(a / b for a, b in zip(ours, ref)), statistics.median(ours), statistics.median(ref)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs per command (default 5)")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    print(f"reference: {' '.join(REFERENCE[1:])}")
    for name, command in COMMANDS.items():
        ratio, ours, ref = ratios(command, args.pairs)
        print(f"{name:<9} {ours:6.3f} s CPU   reference {ref:6.3f} s   ratio {ratio:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
