"""Results that should not be read as they stand: controls whose queues never settle (and what
each measure says of its own, e.g. a saturated audit office).

A control whose lanes are busy nearly all the time has no steady state: its queue grows for as
long as the run lasts, so its waits (and every lead time through it) depend on the horizon, not
on the corridor. The summary says so instead of reporting the figures silently.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from ..scenario.warning_codes import coded

SATURATED = 0.97  # mean lane utilisation over the counting window, across replications
LONG_QUEUE_H = 7 * 24.0  # a mean queue of a week or more at one control


def saturation_warnings(rep_stats: list[dict[str, Any]]) -> list[str]:
    """One sentence per control that is saturated or holds trucks for weeks, worst first."""
    utilisation: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    queue: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep["controls"]:
            key = (row["node"], row["country"], row["direction"])
            utilisation[key].append(row["lane_utilisation"])
            if row["trucks"]:
                queue[key].append(row["mean_queue_h"])
    found = []
    for key, values in utilisation.items():
        busy = sum(values) / len(values)
        waits = queue.get(key) or [0.0]
        wait = sum(waits) / len(waits)
        if busy >= SATURATED or wait >= LONG_QUEUE_H:
            found.append((busy, wait, key))
    out = []
    for busy, wait, (node, country, direction) in sorted(found, reverse=True):
        out.append(coded("saturated-control",
                         f"control {node} {country} {direction} is saturated: its lanes are busy {busy:.0%} of the "
                         f"time and trucks queue {wait / 24:.1f} days on average; its queue grows for as long as the "
                         f"run lasts, so waits there depend on the horizon (give it more lanes or less traffic)"))
    from ..measures import MEASURES

    return out + [w for m in MEASURES if m.warnings for w in m.warnings(rep_stats)]


def concerning(names: list[str]) -> str:
    """Whom a warning concerns: a scenario by its name, several by their number and names."""
    if len(names) == 1:
        return names[0]
    shown = ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more"
    return f"{shown} ({len(names)} scenarios)"


def said_once(warnings: dict[str, list[str]], label: Callable[[str], str] = str) -> list[tuple[str, str]]:
    """(whom, sentence) for each distinct sentence of the scenarios' warnings ({name: sentences}),
    once, with the scenarios it concerns (each shown as `label(name)`): a sweep's points or a
    comparison's overlays that share a setting share its warning, and a warning said once per
    scenario teaches people to skip it."""
    said: dict[str, list[str]] = {}
    for name, lines in warnings.items():
        for line in lines:
            said.setdefault(line, []).append(name)
    return [(concerning([label(n) for n in names]), line) for line, names in said.items()]
