"""Benchmark: corridor-sim against the same tandem queue written in plain SimPy.

The `tandem_mmc` contract scenario is two M/M/3 controls in series (Poisson departures,
exponential document checks of mean 1 h, every truck green, no driving). This script runs it
through `corridor_sim.simulate`, then the same queue as a bare SimPy program (two
`simpy.Resource`s of capacity 3, one process per truck, numpy draws in blocks) on the same number
of trucks, and prints trucks per second for both and the ratio of their times per truck.

    python benchmarks/bench_tandem.py                  # 60 days of traffic (about 3,600 trucks)
    python benchmarks/bench_tandem.py --days 400       # the contract's horizon (24,000 trucks)
    python benchmarks/bench_tandem.py --check          # exit 1 if corridor-sim takes over 2x plain SimPy
    python benchmarks/bench_tandem.py --plain-process 10   # only plain SimPy: the contract's 10
                                                           # replications, for timing whole processes

corridor-sim works this world out control by control in columns (the `columns` engine,
`corridor_sim/model/columns.py`: its trucks only pass first-come first-served controls). The two
other engines are timed beside it (`simulate(..., engine=...)`, `corridor_sim/model/features.py`),
so each gain shows beside the ratio to plain SimPy: `fifo`, FIFO servers in SimPy's event loop
(the engine of worlds with ferries, calendars or caravans, or background traffic that runs on
after the horizon), and `reference`, every truck on SimPy's pools. All three give every truck
the same times.

The sides run in turn `--repeat` times and the fastest run of each is kept (the least
disturbed by other work on the machine). Both mean lead times are printed too: they should agree (about 4.81 h).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generator

import numpy as np
import simpy

from corridor_sim import derive, load_scenario, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "fixtures" / "contract" / "tandem_mmc.yaml"
LIMIT = 2.0  # corridor-sim may take at most this many times the plain SimPy time per truck
BLOCK = 512


@dataclass(frozen=True)
class Timing:
    trucks: int
    seconds: float
    mean_lead_h: float

    @property
    def per_second(self) -> float:
        return self.trucks / self.seconds


WAYS = ("columns", "fifo", "reference")  # the model's engines, fastest first


def corridor_sim_run(days: float, seed: int, way: str = "columns") -> Timing:
    """One replication of the contract scenario with `days` of departures (no warm-up), the
    model's `way` (see `timed_replication`)."""
    return timed_replication(derive(load_scenario(SCENARIO), {"clock.horizon": f"{days}d", "clock.warmup": 0}),
                             seed, way)


def timed_replication(scenario, seed: int, way: str = "columns") -> Timing:
    """Replication 0 of `scenario` on the engine `way`, timed."""
    start = time.perf_counter()
    result = simulate(scenario, 0, seed, engine=way)
    seconds = time.perf_counter() - start
    return Timing(result.created, seconds, float(result.lead_times().mean()))


def _blocks(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """One value at a time out of numpy blocks of BLOCK draws."""
    buf: list[float] = []
    i = BLOCK

    def next_value() -> float:
        nonlocal buf, i
        if i == BLOCK:
            buf, i = draw(BLOCK).tolist(), 0
        i += 1
        return buf[i - 1]

    return next_value


def plain_simpy_run(trucks: int, seed: int, per_day: float = 60.0, servers: int = 3,
                    mean_service_h: float = 1.0, stations: int = 2) -> Timing:
    """The same tandem queue in bare SimPy (`stations` M/M/`servers` queues), `trucks` Poisson departures."""
    start = time.perf_counter()
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    gap = _blocks(lambda n: rng.exponential(24.0 / per_day, n))
    service = _blocks(lambda n: rng.exponential(mean_service_h, n))
    posts = [simpy.Resource(env, servers) for _ in range(stations)]
    lead_times: list[float] = []

    def truck() -> Generator:
        depart = env.now
        for post in posts:
            with post.request() as lane:
                yield lane
                yield env.timeout(service())
        lead_times.append(env.now - depart)

    def departures() -> Generator:
        for _ in range(trucks):
            yield env.timeout(gap())
            env.process(truck())

    env.process(departures())
    env.run()
    seconds = time.perf_counter() - start
    return Timing(trucks, seconds, float(np.mean(lead_times)))


def benchmark(days: float, repeat: int = 3, seed: int = 11) -> tuple[dict[str, Timing], Timing]:
    """The fastest run of each way of the model (`WAYS`) and of plain SimPy, on the same trucks.

    The sides take turns, so a change in the machine's load hits all alike.
    """
    ours: dict[str, list[Timing]] = {way: [] for way in WAYS}
    plain: list[Timing] = []
    for _ in range(repeat):
        for way in WAYS:
            ours[way].append(corridor_sim_run(days, seed, way))
        plain.append(plain_simpy_run(ours["columns"][-1].trucks, seed))
    fastest = lambda runs: min(runs, key=lambda t: t.seconds)  # noqa: E731
    return {way: fastest(runs) for way, runs in ours.items()}, fastest(plain)


def report(ours: dict[str, Timing], plain: Timing) -> float:
    """Print each way's trucks per second and its ratio of time per truck to plain SimPy's; the
    default way's ratio."""
    labels = {"columns": "corridor-sim", "fifo": "  fifo engine", "reference": "  reference engine"}
    per_truck = plain.seconds / plain.trucks
    for way, t in ours.items():
        print(f"{labels[way]:<18} {t.trucks:>8d} trucks {t.seconds:8.3f} s {t.per_second:>10.0f} trucks/s   "
              f"mean lead time {t.mean_lead_h:.3f} h   ratio {t.seconds / t.trucks / per_truck:.2f}")
    print(f"{'plain SimPy':<18} {plain.trucks:>8d} trucks {plain.seconds:8.3f} s {plain.per_second:>10.0f} trucks/s   "
          f"mean lead time {plain.mean_lead_h:.3f} h")
    return ours["columns"].seconds / ours["columns"].trucks / per_truck


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=60.0, help="days of departures at 60 trucks a day (default 60)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side; the fastest counts (default 3)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if corridor-sim takes more than {LIMIT:g}x plain SimPy")
    parser.add_argument("--plain-process", type=int, metavar="REPS",
                        help="only run plain SimPy, REPS replications of the contract's trucks, and print their "
                             "mean lead time: the yardstick for `corridor-sim run` as a whole process")
    args = parser.parse_args(argv)
    if args.plain_process:
        scenario = load_scenario(SCENARIO)
        trucks = round(scenario.traffic["main"].per_day * scenario.clock.horizon / 24)
        leads = [plain_simpy_run(trucks, args.seed + r).mean_lead_h for r in range(args.plain_process)]
        print(f"plain SimPy   {args.plain_process} x {trucks} trucks, mean lead time {np.mean(leads):.3f} h")
        return 0
    if args.days <= 0 or args.repeat < 1:
        parser.error("--days must be positive and --repeat at least 1")
    ours, plain = benchmark(args.days, args.repeat, args.seed)
    ratio = report(ours, plain)
    print(f"ratio         {ratio:.2f} (corridor-sim time per truck / plain SimPy time per truck; limit {LIMIT:g})")
    if args.check and ratio > LIMIT:
        print(f"FAIL: corridor-sim is {ratio:.2f}x slower than plain SimPy (limit {LIMIT:g}x)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
