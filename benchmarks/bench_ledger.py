"""Benchmark: what the cost ledger adds to a replication's CPU time (goal: at most 5%).

A replication as a worker does it, in this process: the simulation, the replication's statistics
and its table pieces; without the ledger, and with it (`Ledger(scenario)` built, its columns added
to the trucks, its CPMM indicators in the statistics: `corridor_sim/results/ledger.py`). A worker
builds the ledger once for a task of several replications; here it is built for every
replication, so the figure is an upper bound. The two sides run in turn on the same replication
(pairs interleaved, the order alternating), so a change in the machine's load hits both alike;
CPU seconds of this process. Prints each pair and the median ratio, with the ledger / without, and
the ledger's own steps timed directly as a share of the replication (less noisy than the ratio of
two whole replications on a loaded machine).

    python benchmarks/bench_ledger.py                          # the bundled corridor, 5 pairs
    python benchmarks/bench_ledger.py SCENARIO --pairs 3 --set clock.horizon=10d
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from corridor_sim import load_scenario
from corridor_sim.model import simulate
from corridor_sim.results.ledger import Ledger
from corridor_sim.results.replication import replication_stats
from corridor_sim.results.tables import replication_pieces

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.05


def replication(scenario, r: int, costed: bool) -> tuple[float, float]:
    """CPU seconds of replication `r` as a worker does it, with or without the ledger; and of the
    ledger's own steps in it (building it, its columns, its indicators), timed directly."""
    start = time.process_time()
    result = simulate(scenario, r)
    ledger, own = None, 0.0
    if costed:
        mark = time.process_time()
        ledger = Ledger(scenario)
        ledger.add_to(result)
        ledger.indicators(result)  # what replication_stats calls; timed here, and again below
        own = time.process_time() - mark
    replication_stats(result, ledger)
    replication_pieces(result)
    return time.process_time() - start, own


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "middle_corridor.yaml"))
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs (default 5)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, e.g. clock.horizon=10d")
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario, args.overrides)
    replication(scenario, 0, True)  # untimed: imports and caches warm for both sides
    start = time.process_time()
    Ledger(scenario)
    print(f"building the ledger once: {time.process_time() - start:.4f} s CPU")
    ratios, shares = [], []
    for pair in range(1, args.pairs + 1):
        order = (False, True) if pair % 2 else (True, False)
        seconds = {costed: replication(scenario, pair, costed) for costed in order}
        (without, _), (with_, own) = seconds[False], seconds[True]
        ratios.append(with_ / without)
        shares.append(own / without)
        print(f"pair {pair}: {without:.3f} s without the ledger, {with_:.3f} s with it; ratio {ratios[-1]:.3f}; "
              f"the ledger's own steps {own:.4f} s, {shares[-1]:.2%} of the replication without it")
    ratios.sort()
    shares.sort()
    median = ratios[len(ratios) // 2]
    verdict = "within" if median <= GOAL else "OVER"
    print(f"median ratio, with the ledger / without: {median:.3f} ({ratios[0]:.3f}-{ratios[-1]:.3f}); "
          f"{verdict} the goal of {GOAL:.2f}")
    print(f"median share of the ledger's own steps: {shares[len(shares) // 2]:.2%} ({shares[0]:.2%}-{shares[-1]:.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
