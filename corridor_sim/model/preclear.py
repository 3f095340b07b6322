"""Pre-clearing from advance data (`customs.<country>.etir_preclear`).

With e-TIR the declaration reaches the customs before the truck, and a pre-notified caravan
is announced in advance: a share `etir_preclear` of the yellow checks such a truck would get is
done before it arrives, and it goes green. Any other truck's yellow check stays. The draw that
decides it is the `u_preclear` column of each country's customs block (`customs.py`), keyed by
the truck, so pre-clearing never changes another truck's channel.
"""
from __future__ import annotations

from ..scenario.schema import REGIMES
from .measure import Measure
from .truck import Regime


class PreclearMeasure(Measure):
    def wire(self, world, control, authorities: list, key) -> None:
        for authority in authorities:
            share = authority.policy.etir_preclear
            if share > 0:
                authority.preclear[False][Regime.ETIR] = share     # e-TIR data, any truck
                authority.preclear[True] = [share] * len(REGIMES)  # pre-notified, any regime

    def features(self, control) -> set[str]:
        return {"preclearing"} if any(a.policy.etir_preclear > 0 for a in control.authorities) else set()
