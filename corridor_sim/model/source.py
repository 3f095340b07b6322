"""A flow's departures: when its trucks leave (Poisson, thinned by the demand profile) and who
each one is (AEO status, regime, risk class, compliance), drawn in order of departure.

Every engine takes its trucks from here (the event loop one by one, the batch and the columns
in blocks, `candidate_blocks`), so they draw the same numbers in the same order.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..scenario.dists import Dist
from ..scenario.schema import REGIMES
from .demand import DemandProfile
from .rng import BLOCK
from .truck import Truck

# past the horizon, a flow whose mean rate there is under this share of its peak ends: each of its
# departures would take a million thinned draws or more (for ever, with a zero weight)
TAIL_SHARE = 1e-6


class Source:
    """One traffic flow of a world (`group`: its index among the world's flows and caravans)."""

    def __init__(self, world, group: int, name: str, flow) -> None:
        scenario = world.scenario
        self.world = world
        self.group = group
        self.name = name
        self.horizon = world.horizon
        self.warmup = world.warmup
        self.profile = DemandProfile(flow.weekly, flow.hourly, flow.monthly, scenario.clock.start, self.horizon)
        self.peak = self.profile.peak
        self.counted = not flow.background
        self.aeo = flow.aeo
        streams = world.streams
        self.gap = None if self.peak <= 0 else streams.sampler(
            Dist("exponential", (24.0 / (flow.per_day * self.peak),)), "arrivals", name)
        # thinning: a departure drawn at the peak rate happens with probability factor(t) / peak
        self.thin = streams.uniforms("weekly", name) if self.profile.varies else None
        self.ends = self.thin is not None and self.profile.after_horizon < TAIL_SHARE * self.peak
        self.attributes = streams.uniform_rows(4, "attributes", name)  # one row per truck, in order of departure
        self.regime_cum = np.cumsum([flow.regime.get(r, 0.0) for r in REGIMES]).tolist()
        risk_mix = flow.risk or {world.risk_classes[0]: 1.0}
        self.risk_cum = np.cumsum([risk_mix.get(c, 0.0) for c in world.risk_classes]).tolist()
        self.noncompliance = [scenario.risk_classes[c].noncompliance for c in world.risk_classes]
        # after the horizon a flow goes on, its trucks no longer counted, while a counted truck is
        # still due at a stop it passes: the last trucks counted meet a normal day's traffic, not
        # empty borders and ferries that no longer come back full (World._watch sets these)
        self.watch: list = []  # stops where a counted truck due keeps the flow going
        self.run_on_until = world.run_on_until  # and no longer (network.run_on_until)
        self.index = 0

    def runs_on(self) -> bool:
        """Whether a counted truck is still due at a stop this flow watches."""
        return any(stop.due for stop in self.watch)

    def stopped(self, t: float) -> bool:
        """No departure at `t` or later: past the horizon, with no counted truck due at a stop
        this flow watches, or past the time flows run on to."""
        return t >= self.horizon and (t >= self.run_on_until or not self.runs_on())

    def times(self) -> Iterator[float]:
        """The departure times still to come, as they are drawn; ends when `stopped`."""
        for t in self.candidates():
            if self.stopped(t):
                return
            yield t

    def candidates(self) -> Iterator[float]:
        """The departure times as they are drawn: `times` before it is `stopped`. Without end,
        unless the flow `ends` at the horizon (its first draw there ends it)."""
        if self.gap is None:
            return
        gap, thin, peak, factor = self.gap, self.thin, self.peak, self.profile.factor
        end = self.horizon if self.ends else float("inf")
        t = 0.0
        while True:
            t += gap()
            if t >= end:
                return
            if thin is not None and thin() * peak >= factor(t):
                continue
            yield t

    def candidate_blocks(self) -> Iterator[np.ndarray]:
        """`candidates` as columns, a block of the gaps' draws at a time: the same draws from
        the same generators, the same sums in the same order (for the batch, `batch.py`; a flow
        draws its departures one way or the other, never both)."""
        if self.gap is None:
            return
        gap, thin, peak = self.gap, self.thin, self.peak
        end = self.horizon if self.ends else float("inf")
        t = 0.0
        while True:
            gaps = gap.dist.sample(gap.rng, BLOCK)  # as `Sampler` refills
            times = np.cumsum(np.concatenate(([t], gaps)))[1:]  # t += gap, one after another
            t = float(times[-1])
            if thin is not None:
                u = thin.rng.random(BLOCK)  # as `Uniforms` refills
                times = times[~(u * peak >= self.profile.factors(times))]
            if t >= end:
                yield times[times < end]
                return
            yield times

    def truck(self, now: float) -> Truck:
        """The next truck of the flow, leaving at `now`."""
        u_aeo, u_regime, u_risk, u_violation = self.attributes()
        risk = pick(self.risk_cum, u_risk)
        world = self.world
        world.next_id += 1
        truck = Truck(world.next_id, self.group, self.index, now, u_aeo < self.aeo, pick(self.regime_cum, u_regime),
                      risk, u_violation < self.noncompliance[risk], False,
                      self.counted and self.warmup <= now < self.horizon)
        self.index += 1
        return truck


def pick(cumulative: list[float], u: float) -> int:
    """The class whose cumulative share first exceeds `u`."""
    for i, edge in enumerate(cumulative):
        if u < edge:
            return i
    # rounding: the last class with a positive share
    for i in range(len(cumulative) - 1, 0, -1):
        if cumulative[i] > cumulative[i - 1]:
            return i
    return 0
