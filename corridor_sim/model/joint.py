"""Joint (one-stop) control: both countries' officers check a truck together at one stop.

`nodes.<bcp>.joint_control: true` makes the world build one control per direction with both
countries' customs instead of an exit and an entry control. This measure gives such a control
its rule for combining the two verdicts: the stop lasts as long as the slower check; the truck
takes the more severe channel only (a red truck goes to one joint inspection, as long as the
longer of the two, and the stricter detection rate applies; a yellow check the other country
asked for is not added to a red truck's stop). No draws of its own: each country's verdict
uses its own customs draws.
"""
from __future__ import annotations

from typing import NamedTuple

from .customs import Authority, Channel
from .measure import Measure
from .truck import Truck

YELLOW, RED = Channel.YELLOW, Channel.RED


class Decision(NamedTuple):
    """One authority's verdict on a truck, with its detection rate."""

    detection: float
    document: float
    error: float
    channel: Channel
    yellow_check: float
    inspection: float
    u_detect: float


def joint_verdict(authorities: list[Authority], truck: Truck, errors_aside: bool, yellow_aside: bool,
                  now: float) -> tuple[float, float, Channel, float, float, float]:
    """(time in the lane, time aside, channel, inspection time, detection rate, detection uniform)."""
    decisions = [Decision(a.detection, *a.decide(truck, now)) for a in authorities]
    channel = max(d.channel for d in decisions)
    lane = max(d.document + (0.0 if errors_aside else d.error) for d in decisions)
    aside = max(d.error for d in decisions) if errors_aside else 0.0
    if channel == YELLOW:
        yellow = max(d.yellow_check for d in decisions if d.channel == YELLOW)
        if yellow_aside:
            return lane, aside + yellow, YELLOW, 0.0, 0.0, 1.0
        return lane + yellow, aside, YELLOW, 0.0, 0.0, 1.0
    # red: the inspections asked for; green: what a scan's anomaly would lead to (both countries)
    reds = [d for d in decisions if d.channel == RED] or decisions
    return lane, aside, channel, max(d.inspection for d in reds), max(d.detection for d in reds), reds[0].u_detect


class JointControlMeasure(Measure):
    def wire(self, world, control, authorities: list, key) -> None:
        if len(authorities) > 1:
            control.combine = joint_verdict

    def features(self, control) -> set[str]:
        return {"joint_control"} if control.combine is joint_verdict else set()
