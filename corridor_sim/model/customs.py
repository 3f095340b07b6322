"""One country's customs at a control: document check and risk engine, with each truck's draws."""
from __future__ import annotations

from enum import IntEnum
from typing import Callable

import numpy as np

from ..scenario.schema import REGIMES, CustomsPolicy
from .rng import Streams
from .truck import Truck


class Channel(IntEnum):
    GREEN = 0
    YELLOW = 1   # documentary check in the lane
    RED = 2      # physical inspection in a bay


class CustomsDraws:
    """What chance decides at one authority for a block of trucks (row i: one truck), whether it
    is used or not. Columns, one list each."""

    __slots__ = ("u_error", "u_channel", "u_preclear", "u_detect", "documents", "error_delay", "yellow_check",
                 "inspection")

    def __init__(self, rng: np.random.Generator, n: int, policy: CustomsPolicy):
        u, documents, error_delay, yellow_check, inspection = self.draw(rng, n, policy)
        u = u.tolist()
        self.u_error: list[float] = u[0]      # a document error, if below the regime's error rate
        self.u_channel: list[float] = u[1]    # red below P(red), yellow below P(red) + P(yellow)
        self.u_preclear: list[float] = u[2]   # e-TIR or pre-notified yellow check pre-cleared, if below the share
        self.u_detect: list[float] = u[3]     # a violation found in inspection, if below the detection rate
        # document check time for each regime (REGIMES order)
        self.documents: list[list[float]] = [d.tolist() for d in documents]
        self.error_delay: list[float] = error_delay.tolist()
        self.yellow_check: list[float] = yellow_check.tolist()
        self.inspection: list[float] = inspection.tolist()

    @staticmethod
    def draw(rng: np.random.Generator, n: int, policy: CustomsPolicy) -> tuple:
        """The block's draws as arrays, in the order they are drawn: the four uniforms (rows
        u_error, u_channel, u_preclear, u_detect), the document times by regime, the error
        delays, yellow checks and inspections (what `columns.py` takes without making lists)."""
        u = rng.random((4, n))
        documents = [policy.document[r].sample(rng, n) for r in REGIMES]
        return u, documents, policy.error_delay.sample(rng, n), policy.yellow_check.sample(rng, n), \
            policy.inspection.sample(rng, n)


GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED


class Authority:
    """One country's officers at a control.

    Each truck takes the row of draws keyed by its flow and its index in the flow (see
    `rng.PerTruck`): a scenario change upstream that reorders arrivals here changes no truck's
    channel, document time or inspection time at this control.
    """

    __slots__ = ("country", "policy", "error_rate", "thresholds", "preclear", "detection", "draws", "adjust",
                 "adjusting", "document_floor")

    def __init__(self, country: str, policy: CustomsPolicy, risk_classes: list[str], streams: Streams,
                 groups: list[str], owner: tuple):
        self.country = country
        self.policy = policy
        self.error_rate = [policy.document_error[r] for r in REGIMES]
        self.detection = policy.detection
        # thresholds[risk][AEO] = (P(red), P(red) + P(yellow)) for one uniform draw; the same for
        # AEO trucks until a measure recognises the status (aeo.py)
        self.thresholds: list[list[tuple[float, float]]] = []
        for cls in risk_classes:
            ch = policy.channels.get(cls)
            y, r = (ch.yellow, ch.red) if ch is not None else (0.0, 0.0)
            self.thresholds.append([(r, r + y), (r, r + y)])
        # preclear[pre-notified][regime]: the share of yellow checks done before the truck arrives
        # (none until a measure sets it: preclear.py)
        self.preclear: list[list[float]] = [[0.0] * len(REGIMES), [0.0] * len(REGIMES)]
        self.draws = streams.per_truck(lambda rng, n: CustomsDraws(rng, n, policy), groups, "customs", *owner)
        # the measures that change a verdict (an information exchange, then a post-clearance audit),
        # chained in the order they were added: (truck, document, channel, u, red, now) -> (document,
        # channel), `now` when the officers start on the truck; and the features they are (features.py)
        self.adjust: Callable[..., tuple[float, Channel]] | None = None
        self.adjusting: set[str] = set()
        # the least share of its document time an adjusted verdict keeps (each adjuster says at
        # most how far it shortens it; one that does not say may shorten it to nothing)
        self.document_floor = 1.0

    def add_adjuster(self, adjust: Callable[..., tuple[float, Channel]], feature: str = "verdict_adjuster",
                     document_floor: float = 0.0) -> None:
        """Let a measure change each verdict after the ones added before it; `feature`: what the
        adjuster is, for the choice of engine (`features.FEATURES`); `document_floor`: the least
        share of the document time it keeps (1: it never shortens it)."""
        self.adjusting.add(feature)
        self.document_floor *= min(1.0, max(0.0, document_floor))
        before = self.adjust
        if before is None:
            self.adjust = adjust
        else:
            def chained(truck, document, channel, u, red, now):
                document, channel = before(truck, document, channel, u, red, now)
                return adjust(truck, document, channel, u, red, now)
            self.adjust = chained

    def scale_aeo_thresholds(self, factor: float) -> None:
        """Select AEO trucks at `factor` times the rates of their risk class."""
        for row in self.thresholds:
            red, red_or_yellow = row[False]
            row[True] = (red * factor, red_or_yellow * factor)

    def lane_floor(self, group: int, index: int, regime: int, errors_aside: bool) -> float:
        """The least time truck `index` of flow `group` can spend in the lane here, whenever it is
        judged: its document time as short as the adjusters may make it, its error correction (in
        the lane), no yellow check (an adjuster may turn the channel). For a truck waiting in line
        behind others whose verdict is not taken yet (`classed.ClassServers.bound`)."""
        draws, i = self.draws.locate(group, index)
        document = draws.documents[regime][i]
        if self.document_floor < 1.0:  # a hair below, whatever the order of the adjusters' roundings
            document = document * self.document_floor * (1.0 - 1e-12)
        if errors_aside or not draws.u_error[i] < self.error_rate[regime]:
            return document
        return document + draws.error_delay[i]

    def decide(self, truck: Truck, now: float) -> tuple[float, float, Channel, float, float, float]:
        """The verdict on one truck, the officers starting on it at `now`: (document check time,
        error-correction time (0 without an error), channel, yellow-check time, inspection time in
        a bay, the uniform that decides detection)."""
        draws, i = self.draws.locate(truck.group, truck.index)
        regime = truck.regime
        document = draws.documents[regime][i]
        error = draws.error_delay[i] if draws.u_error[i] < self.error_rate[regime] else 0.0
        red, red_or_yellow = self.thresholds[truck.risk][truck.aeo]
        u = draws.u_channel[i]
        if u < red:
            channel = RED
        elif u < red_or_yellow and not draws.u_preclear[i] < self.preclear[truck.prenotified][regime]:
            channel = YELLOW
        else:
            channel = GREEN
        if self.adjust is not None:  # e.g. what the last country's customs sent; an audit after release
            document, channel = self.adjust(truck, document, channel, u, red, now)
        return document, error, channel, draws.yellow_check[i], draws.inspection[i], draws.u_detect[i]
