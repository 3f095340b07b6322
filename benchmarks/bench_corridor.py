"""Benchmark: the bundled corridor, simulation only: trucks per second against plain SimPy's.

Runs `scenarios/middle_corridor.yaml` (or another scenario) one replication at a time in this
process, after one untimed replication, and prints for each the trucks simulated (counted and
background), the seconds, trucks per second, the SimPy events scheduled per truck and the share
of the trucks that went outside the event loop (background flows through first-come
first-served controls, `corridor_sim/model/batch.py`). After each, as the yardstick, the same
number of trucks through the contract's tandem queue written in plain SimPy (`bench_tandem.py`),
and the ratio of the two rates: the corridor's trucks per second over plain SimPy's.

    python benchmarks/bench_corridor.py                   # 3 replications
    python benchmarks/bench_corridor.py SCENARIO -n 5
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench_tandem import plain_simpy_run
from corridor_sim import load_scenario
from corridor_sim.model.world import World

ROOT = Path(__file__).resolve().parent.parent


def one(scenario, replication: int) -> tuple[int, float, int, int]:
    """(trucks created, seconds, SimPy events scheduled, trucks outside the event loop) of one replication."""
    start = time.perf_counter()
    world = World(scenario, replication)
    world.run()
    seconds = time.perf_counter() - start
    outside = sum(source.index for source in world.batch.sources) if world.batch is not None else 0
    return world.created, seconds, next(world.env._eid), outside  # SimPy numbers every event it schedules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "middle_corridor.yaml"))
    parser.add_argument("-n", type=int, default=3, help="timed replications (default 3)")
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario)
    one(scenario, 0)
    rows = []
    for r in range(args.n):  # the two in turn, so a change in the machine's load hits both
        trucks, seconds, events, outside = one(scenario, r + 1)
        plain = plain_simpy_run(trucks, seed=11 + r)
        rows.append((trucks, seconds, events, outside, plain.per_second))
    for r, (trucks, seconds, events, outside, plain) in enumerate(rows, 1):
        print(f"replication {r}: {trucks:>8d} trucks {seconds:7.2f} s {trucks / seconds:>9.0f} trucks/s "
              f"{events / trucks:6.1f} events a truck, {outside / trucks:4.0%} outside the event loop; "
              f"plain SimPy {plain:>7.0f} trucks/s, ratio {trucks / seconds / plain:.2f}")
    ratios = sorted(trucks / seconds / plain for trucks, seconds, _, _, plain in rows)
    best = min(rows, key=lambda row: row[1] / row[0])
    print(f"best: {best[0] / best[1]:.0f} trucks/s; ratio to plain SimPy's rate, median {ratios[len(ratios) // 2]:.2f} "
          f"({ratios[0]:.2f}-{ratios[-1]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
