"""Who goes first in a queue for lanes, bays, scanners or a ferry.

Pre-notified trucks (a caravan announced in advance) always do; other trucks go first only
when a measure gives their class priority there: recognised AEO trucks (`aeo.py`), a transit
regime's green lane (`priority_lanes.py`). A class is an AEO status and a transit regime, so a
queue finds a truck's priority with two list lookups.
"""
from __future__ import annotations

from ..scenario.schema import REGIMES

FIRST, AFTER = 0, 1  # priorities: lower goes first


def priority_table() -> list[list[bool]]:
    """`table[aeo][regime]`: whether trucks of that class go first; none does until a measure says so."""
    return [[False] * len(REGIMES), [False] * len(REGIMES)]


def give_priority(table: list[list[bool]], aeo: bool | None = None, regime: int | None = None) -> None:
    """Trucks of this AEO status and regime index (None: either, any) go first."""
    for status in (False, True) if aeo is None else (aeo,):
        for r in range(len(REGIMES)) if regime is None else (regime,):
            table[status][r] = True
