"""Green lanes by transit regime (`customs.<country>.priority_regimes`, e.g. TIR green lanes).

Trucks under a listed regime go first in the lane, bay and scanner queues of that country's
controls; at a joint control either country's list counts. No draws.
"""
from __future__ import annotations

from ..scenario.schema import REGIMES
from .measure import Measure
from .priority import give_priority


class PriorityLaneMeasure(Measure):
    def wire(self, world, control, authorities: list, key) -> None:
        for authority in authorities:
            for regime in authority.policy.priority_regimes:
                give_priority(control.first, regime=REGIMES.index(regime))

    def features(self, control) -> set[str]:
        return {"priority_classes"} if any(a.policy.priority_regimes for a in control.authorities) else set()
