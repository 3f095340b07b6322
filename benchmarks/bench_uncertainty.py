"""Benchmark: the e-TIR saving card on the bundled base, against its 30-minute budget on two cores.

Runs `corridor-sim uncertainty` as a user would: the base and `etir.yaml`, the bundled
assumptions (`scenarios/assumptions.yaml`), each point scored against the 2022 targets on the
2022 calibration scenario, on two workers. Prints the wall-clock time, the design's size and
model runs, and the card's headline figures (the central saving, the range over all points and
over the plausible ones, the three drivers).

    python benchmarks/bench_uncertainty.py                       # the full card: 4 replications a point,
                                                                 # 4 Morris trajectories, 40 sampled points
    python benchmarks/bench_uncertainty.py -n 1 --trajectories 0 --samples 2   # a check that it starts
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
SCENARIOS = ROOT / "scenarios"
BUDGET_S = 30 * 60


def command(out: Path, replications: int, trajectories: int, samples: int, workers: int, threshold: float) -> list[str]:
    return [sys.executable, "-m", "corridor_sim", "uncertainty", str(SCENARIOS / "middle_corridor.yaml"),
            str(SCENARIOS / "etir.yaml"), "--assumptions", str(SCENARIOS / "assumptions.yaml"),
            "--targets", str(SCENARIOS / "targets_2022.yaml"), "--calibration", str(SCENARIOS / "middle_corridor_2022.yaml"),
            "--threshold", str(threshold), "-n", str(replications), "--trajectories", str(trajectories),
            "--samples", str(samples), "--workers", str(workers), "--quiet", "--force", "-o", str(out)]


def h(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--replications", type=int, default=4, help="replications a point (default 4)")
    parser.add_argument("--trajectories", type=int, default=4, help="Morris trajectories (default 4)")
    parser.add_argument("--samples", type=int, default=40, help="Latin hypercube points (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--threshold", type=float, default=2.0, help="the saving e-TIR must exceed, h (default 2)")
    parser.add_argument("-o", "--output", type=Path, help="keep the card here (default: a temporary directory)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.output or Path(tmp) / "card"
        clock = time.perf_counter()
        done = subprocess.run(command(out, args.replications, args.trajectories, args.samples, args.workers,
                                      args.threshold), cwd=ROOT)
        elapsed = time.perf_counter() - clock
        if done.returncode != 0:
            print(f"corridor-sim uncertainty failed (exit {done.returncode}) after {elapsed:.0f} s")
            return done.returncode
        section = json.loads((out / "summary.json").read_text(encoding="utf-8"))["uncertainty"]
    card = section["measures"]["etir"]
    design = section["design"]
    print(f"e-TIR card: {elapsed:.0f} s wall clock on {args.workers} workers (budget {BUDGET_S} s: "
          f"{'within' if elapsed <= BUDGET_S else 'OVER'}); {design['points']} points "
          f"({design['morris']} Morris, {design['sample']} sampled), {design['model_runs']} model runs")
    c, r = card["central"], card["range"]
    print(f"saving {h(c['mean'])} h [{h(c['ci_low'])}, {h(c['ci_high'])}] at the central values; "
          f"5-95% over the assumptions {h(r['p05'])} to {h(r['p95'])} h ({r['n']} points)")
    if card.get("range_plausible") is not None:
        p = card["range_plausible"]
        print(f"over the {p['n']} points that meet the 2022 targets: {h(p['p05'])} to {h(p['p95'])} h")
    print(f"drivers: {', '.join(card['drivers']) or '(none found)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
