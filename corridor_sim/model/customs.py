"""One country's customs at a control: document check and risk engine, with each truck's draws."""
from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np

from ..scenario.schema import REGIMES, CustomsPolicy
from .rng import Streams
from .truck import Regime, Truck


class Channel(IntEnum):
    GREEN = 0
    YELLOW = 1   # documentary check in the lane
    RED = 2      # physical inspection in a bay


class CustomsDraw(NamedTuple):
    """What chance decides for one truck at one authority, whether it is used or not."""

    u_error: float        # a document error, if below the regime's error rate
    u_channel: float      # red below P(red), yellow below P(red) + P(yellow)
    u_preclear: float     # e-TIR or pre-notified yellow check pre-cleared, if below the share
    u_detect: float       # a violation found in inspection, if below the detection rate
    documents: tuple[float, ...]  # document check time for each regime (REGIMES order)
    error_delay: float
    yellow_check: float
    inspection: float


class Decision(NamedTuple):
    """An authority's verdict on one truck."""

    document: float       # document check and error correction, in the lane
    channel: Channel
    yellow_check: float   # in the lane, for a yellow truck
    inspection: float     # in a bay, for a red truck
    u_detect: float


class Authority:
    """One country's officers at a control.

    Each truck takes the row of draws keyed by its flow and its index in the flow (see
    `rng.PerTruck`): a scenario change upstream that reorders arrivals here changes no truck's
    channel, document time or inspection time at this control.
    """

    __slots__ = ("country", "policy", "error_rate", "thresholds", "preclear", "detection", "recognises_aeo",
                 "priority_lane", "draws")

    def __init__(self, country: str, policy: CustomsPolicy, risk_classes: list[str], streams: Streams,
                 groups: list[str], owner: tuple):
        self.country = country
        self.policy = policy
        self.error_rate = [policy.document_error[r] for r in REGIMES]
        self.detection = policy.detection
        self.preclear = policy.etir_preclear
        self.recognises_aeo = policy.recognises_aeo
        self.priority_lane = policy.recognises_aeo and policy.aeo_priority_lane
        # thresholds[risk][recognised AEO] = (P(red), P(red) + P(yellow)) for one uniform draw
        self.thresholds = []
        for cls in risk_classes:
            ch = policy.channels.get(cls)
            y, r = (ch.yellow, ch.red) if ch is not None else (0.0, 0.0)
            f = policy.aeo_factor
            self.thresholds.append(((r, r + y), (r * f, (r + y) * f)))
        self.draws = streams.per_truck(self._block, groups, "customs", *owner)

    def _block(self, rng: np.random.Generator, n: int) -> list[CustomsDraw]:
        policy = self.policy
        u = rng.random((4, n)).tolist()
        documents = zip(*(policy.document[r].sample(rng, n).tolist() for r in REGIMES))
        rest = (policy.error_delay.sample(rng, n).tolist(), policy.yellow_check.sample(rng, n).tolist(),
                policy.inspection.sample(rng, n).tolist())
        return [CustomsDraw(*row[:4], row[4], *row[5:]) for row in zip(*u, documents, *rest)]

    def decide(self, truck: Truck) -> Decision:
        draw: CustomsDraw = self.draws.row(truck.group, truck.index)
        regime = truck.regime
        document = draw.documents[regime]
        if draw.u_error < self.error_rate[regime]:
            document += draw.error_delay
        red, red_or_yellow = self.thresholds[truck.risk][truck.aeo and self.recognises_aeo]
        u = draw.u_channel
        if u < red:
            channel = Channel.RED
        elif u < red_or_yellow and not ((regime == Regime.ETIR or truck.prenotified) and draw.u_preclear < self.preclear):
            channel = Channel.YELLOW
        else:
            channel = Channel.GREEN
        return Decision(document, channel, draw.yellow_check, draw.inspection, draw.u_detect)
