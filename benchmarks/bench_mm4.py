"""Benchmark: a 5-station M/M/4 tandem through corridor-sim against the same queue in plain SimPy.

Three border posts in a row, four lanes at each control; five of the six controls check each
truck for an exponential time of mean 1 h, so each is an M/M/4 queue (load 0.8 by default), and
the last takes no time. Departures are Poisson, every truck green, no
driving. corridor-sim works it out in columns (`corridor_sim/model/columns.py`) and, for
comparison, on its fifo and reference engines (see
`bench_tandem.py`); the plain SimPy program has five
`simpy.Resource`s of capacity 4, one process per truck and numpy draws in blocks. Simulation only,
the sides in turn, the fastest of `--repeat` runs each; trucks per second and the ratio of
seconds per truck to plain SimPy's. The mean lead times are printed beside the theory
(5 x the M/M/4 sojourn time, Erlang C).

    python benchmarks/bench_mm4.py                 # 100,000 trucks
    python benchmarks/bench_mm4.py --trucks 20000
"""
from __future__ import annotations

import argparse
import math
import sys
from bench_tandem import WAYS, Timing, report, timed_replication
from bench_tandem import plain_simpy_run as tandem_in_plain_simpy
from corridor_sim.scenario.loader import build_scenario

STATIONS, SERVERS = 5, 4


def scenario_data(trucks: int, load: float) -> dict:
    """The tandem as a scenario: three border posts between AA, BB, CC and DD, an exit and an entry
    control each; AA, BB and CC check each truck, DD's entry control (the sixth) takes no time."""
    per_day = load * SERVERS * 24.0
    countries = ["AA", "BB", "CC", "DD"]
    nodes: dict = {"origin": {"kind": "terminal", "country": "AA"}}
    for i in range(3):
        nodes[f"p{i + 1}"] = {"kind": "bcp", "border": [countries[i], countries[i + 1]], "lanes": SERVERS}
    nodes["destination"] = {"kind": "terminal", "country": "DD"}
    route = list(nodes)
    check = {"dist": "exponential", "mean": "1h"}
    zero = {"paper_tir": 0, "etir": 0, "national": 0}
    return {
        "name": "mm4-tandem",
        "clock": {"start": "2026-01-05T00:00", "horizon": f"{trucks / per_day:.6f}d", "warmup": 0},
        "drivers": {"rules": "none", "speed_kmh": 60},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": {r: check for r in zero}, "document_error": zero,
                                "channels": {"low": {"yellow": 0, "red": 0}}},
                    "DD": {"document": zero}},
        "nodes": nodes,
        "links": {f"{a} -> {b}": {"km": 0} for a, b in zip(route, route[1:])},
        "traffic": {"main": {"route": route, "per_day": per_day, "regime": {"paper_tir": 1.0}, "risk": {"low": 1.0}}},
    }


def corridor_sim_run(trucks: int, load: float, seed: int, way: str) -> Timing:
    return timed_replication(build_scenario(scenario_data(trucks, load)), seed, way)


def plain_simpy_run(trucks: int, load: float, seed: int) -> Timing:
    return tandem_in_plain_simpy(trucks, seed, per_day=load * SERVERS * 24.0, servers=SERVERS, stations=STATIONS)


def theory(load: float) -> float:
    """5 x the mean sojourn time of an M/M/4 queue of mean service 1 h at `load`."""
    a = load * SERVERS
    top = a ** SERVERS / math.factorial(SERVERS) / (1 - load)
    wait = top / (sum(a ** k / math.factorial(k) for k in range(SERVERS)) + top)  # Erlang C
    return STATIONS * (wait / (SERVERS - a) + 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trucks", type=int, default=100_000)
    parser.add_argument("--load", type=float, default=0.8, help="utilisation of each post (default 0.8)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if args.trucks < 100 or not 0 < args.load < 1 or args.repeat < 1:
        parser.error("--trucks at least 100, --load between 0 and 1, --repeat at least 1")
    runs: dict[str, list[Timing]] = {way: [] for way in WAYS}
    plain: list[Timing] = []
    for _ in range(args.repeat):
        for way in WAYS:
            runs[way].append(corridor_sim_run(args.trucks, args.load, args.seed, way))
        plain.append(plain_simpy_run(runs["columns"][-1].trucks, args.load, args.seed))
    fastest = lambda timings: min(timings, key=lambda t: t.seconds)  # noqa: E731
    ratio = report({way: fastest(timings) for way, timings in runs.items()}, fastest(plain))
    print(f"ratio         {ratio:.2f} (corridor-sim time per truck / plain SimPy time per truck); "
          f"theory {theory(args.load):.3f} h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
