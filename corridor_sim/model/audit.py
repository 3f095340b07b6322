"""Post-clearance audit: checks moved from the border to an audit after release.

At a control, a truck that a country's risk engine selects (yellow or red) may be released
without the check instead (`release` share by channel, for the risk classes named); a share of
the released trucks (`audited`: one share, or one per risk class when audits are risk-targeted)
is audited afterwards by the country's audit office. Nothing of this touches the truck's lead
time, so the office is worked out when the replication ends: first come, first served with
`auditors` in parallel, the multi-server recursion on a heap of auditor-free times, which is
exact for that queue. An audit that finds a violation finds it when it ends.

Draws: each control's release, audit, detection and duration come from the stream
("audit", node, country, direction), one row per truck keyed by its flow and index, taken
for every truck that passes whether it is selected or not; a scenario without audits draws
nothing from it.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from ..scenario.schema import PostClearanceAudit
from .customs import Channel
from .measure import Measure
from .rng import Streams

YELLOW, RED = Channel.YELLOW, Channel.RED


@dataclass(frozen=True)
class AuditRecord:
    """One country's audit office over the counting window (trucks released in [warm-up, horizon))."""

    country: str
    auditors: int
    released: int              # selections released at the border
    audited: int
    noncompliant: int          # released trucks that were non-compliant
    detected: int              # violations found in audit
    missed: int                # non-compliant released trucks whose violation the audit did not find
    mean_wait_h: float         # wait for an auditor, over the audits
    mean_delay_h: float        # release to detection, over the detections
    auditor_utilisation: float  # busy auditor-hours over auditor-hours in the window
    mean_backlog: float        # audits waiting for an auditor (time average over the window)


class AuditOffice:
    """One country's auditors: audits come in at release, in time order, and are settled at the end."""

    def __init__(self, country: str, spec: PostClearanceAudit, warmup: float, horizon: float):
        self.country = country
        self.auditors = spec.auditors
        self.detection = spec.detection
        self.warmup = warmup
        self.horizon = horizon
        # one entry per released truck: (release time, flow, truck of the flow, truck id, counted,
        # non-compliant, audited, duration, u_detect)
        self.released: list[tuple[float, int, int, int, bool, bool, bool, float, float]] = []
        self.outcomes: list[tuple[int, bool, float, bool]] | None = None  # (truck id, counted, delay, found)

    def receive(self, truck, audited: bool, duration: float, u_detect: float, now: float) -> None:
        """`truck` is released at `now`; `audited`: it will be audited, for `duration` hours. Engines
        that work out trucks in another order than the clock's hand them in out of order."""
        self.released.append((now, truck.group, truck.index, truck.id, truck.counted, truck.noncompliant, audited,
                              duration, u_detect))

    def settle(self) -> AuditRecord:
        """Every audit's start and end (FIFO over `auditors`), and the office's record."""
        free = [float("-inf")] * self.auditors
        low, high = self.warmup, self.horizon
        window = high - low
        busy = waiting = wait_sum = delay_sum = 0.0
        released = audited = noncompliant = detected = 0
        outcomes = []
        # in time order, and trucks released at one moment (as a control opens) by flow and number:
        # an order that does not depend on which engine told the office first
        self.released.sort(key=itemgetter(0, 1, 2))
        for now, _, _, truck, counted, bad, is_audited, duration, u_detect in self.released:
            counts = low <= now < high
            found = False
            if is_audited:
                start = max(now, heapq.heappop(free))
                end = start + duration
                heapq.heappush(free, end)
                busy += _overlap(start, end, low, high)
                waiting += _overlap(now, start, low, high)
                found = bad and u_detect < self.detection
                outcomes.append((truck, counted, end - now, found))  # delay to the audit's end
                if counts:
                    audited += 1
                    wait_sum += start - now
                    if found:
                        delay_sum += end - now
            if counts:
                released += 1
                noncompliant += bad
                detected += found
        self.outcomes = outcomes
        return AuditRecord(
            country=self.country, auditors=self.auditors, released=released, audited=audited,
            noncompliant=noncompliant, detected=detected, missed=noncompliant - detected,
            mean_wait_h=wait_sum / audited if audited else float("nan"),
            mean_delay_h=delay_sum / detected if detected else float("nan"),
            auditor_utilisation=busy / (self.auditors * window) if window > 0 else 0.0,
            mean_backlog=waiting / window if window > 0 else 0.0,
        )


def _overlap(a: float, b: float, low: float, high: float) -> float:
    """Length of [a, b] inside [low, high]."""
    return max(0.0, min(b, high) - max(a, low))


class AuditScreen:
    """One authority's part: which of its selections are released and audited."""

    __slots__ = ("office", "release", "eligible", "audited", "draws")

    def __init__(self, office: AuditOffice, spec: PostClearanceAudit, risk_classes: list[str], streams: Streams,
                 groups: list[str], owner: tuple):
        self.office = office
        self.release = {YELLOW: spec.release.get("yellow", 0.0), RED: spec.release.get("red", 0.0)}
        named = set(spec.risk_classes) if spec.risk_classes is not None else set(risk_classes)
        self.eligible = [cls in named for cls in risk_classes]
        shares = spec.audited
        self.audited = [shares.get(cls, 0.0) if isinstance(shares, dict) else shares for cls in risk_classes]
        duration = spec.duration

        def block(rng: np.random.Generator, n: int) -> list[list[float]]:
            u = rng.random((3, n)).tolist()
            return [u[0], u[1], u[2], duration.sample(rng, n).tolist()]

        self.draws = streams.per_truck(block, groups, "audit", *owner)

    def adjust(self, truck, document: float, channel: Channel, u: float, red: float, now: float) -> tuple[float, Channel]:
        """As a verdict adjuster (customs.Authority.add_adjuster): the document time unchanged."""
        return document, self.screen(truck, channel, now)

    def screen(self, truck, channel: Channel, now: float) -> Channel:
        """`channel` as the border applies it: GREEN for a selection released to audit (at `now`).
        Which selections are released depends on the truck's own draws only, never on the clock."""
        draws, i = self.draws.locate(truck.group, truck.index)
        if channel == Channel.GREEN or not self.eligible[truck.risk] or draws[0][i] >= self.release[channel]:
            return channel
        self.office.receive(truck, draws[1][i] < self.audited[truck.risk], draws[3][i], draws[2][i], now)
        return Channel.GREEN


def audit_columns(ids: np.ndarray, offices: list[AuditOffice]) -> dict[str, np.ndarray]:
    """Per counted truck (in the order of `ids`): audits, found in audit, release-to-detection delay."""
    n = len(ids)
    audits = np.zeros(n, dtype="i4")
    found = np.zeros(n, dtype="?")
    delay = np.full(n, np.nan)
    if offices and n:
        row = {int(t): k for k, t in enumerate(ids)}
        for office in offices:
            for truck, counted, delay_h, detected in office.outcomes or ():
                if not counted:
                    continue
                k = row[truck]
                audits[k] += 1
                if detected and not found[k]:
                    found[k] = True
                    delay[k] = delay_h
    return {"audits": audits, "audit_detected": found, "audit_delay_h": delay}


class AuditMeasure(Measure):
    """The audit in one replication: an office for each country that audits after clearance, a
    screen on each of that country's controls; its table and its truck columns at the end."""

    table = "audits"

    def __init__(self, world) -> None:
        scenario = world.scenario
        self.specs = scenario.post_clearance_audit
        self.offices = {country: AuditOffice(country, spec, world.warmup, world.horizon)
                        for country, spec in self.specs.items()}

    def wire(self, world, control, authorities: list, key) -> None:
        for authority in authorities:
            office = self.offices.get(authority.country)
            if office is not None:
                authority.add_adjuster(AuditScreen(office, self.specs[authority.country], world.risk_classes,
                                                   world.streams, world.groups,
                                                   (key.node, authority.country, key.direction)).adjust,
                                       "release_to_audit", 1.0)

    def features(self, control) -> set[str]:
        return {"release_to_audit"} if any(a.country in self.offices for a in control.authorities) else set()

    def records(self) -> list[AuditRecord]:
        """Each office settled to the end of the run (call once, before `truck_columns`)."""
        return [office.settle() for office in self.offices.values()]

    def truck_columns(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        return audit_columns(ids, list(self.offices.values()))
