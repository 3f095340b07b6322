"""Results that should not be read as they stand: controls whose queues never settle.

A control whose lanes are busy nearly all the time has no steady state: its queue grows for as
long as the run lasts, so its waits (and every lead time through it) depend on the horizon, not
on the corridor. The summary says so instead of reporting the figures silently.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

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
        out.append(f"control {node} {country} {direction} is saturated: its lanes are busy {busy:.0%} of the "
                   f"time and trucks queue {wait / 24:.1f} days on average; its queue grows for as long as the "
                   f"run lasts, so waits there depend on the horizon (give it more lanes or less traffic)")
    return out + _audit_warnings(rep_stats) + _permit_warnings(rep_stats)


def _permit_warnings(rep_stats: list[dict[str, Any]]) -> list[str]:
    """Road permits that ran out: trucks waited at the border for a later period's quota."""
    waits: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("permits", []):
            waits[row["registered"], row["country"]].append(row)
    out = []
    for (registered, country), rows in waits.items():
        waited = sum(r["waited"] for r in rows) / len(rows)
        if waited > 0:
            hours = [r["mean_wait_h"] for r in rows if r["mean_wait_h"] == r["mean_wait_h"]]
            out.append(f"road permits {registered} -> {country} ran out: {waited:.0f} trucks a replication waited at "
                       f"the border for the next {rows[0]['period']}'s quota, {sum(hours) / len(hours) / 24:.1f} days on "
                       f"average (the longest {max(r['max_wait_h'] for r in rows) / 24:.1f} days)")
    return out


def _audit_warnings(rep_stats: list[dict[str, Any]]) -> list[str]:
    """An audit office busy nearly all the time: its backlog, and the delay to detection, grow without end."""
    busy: dict[str, list[float]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("audits", []):
            busy[row["country"]].append(row["auditor_utilisation"])
    out = []
    for country, values in busy.items():
        mean = sum(values) / len(values)
        if mean >= SATURATED:
            out.append(f"the post-clearance audit office of {country} is saturated: its auditors are busy {mean:.0%} "
                       f"of the time, so its backlog and the delay to detection grow for as long as the run lasts "
                       f"(give it more auditors, or audit a smaller share)")
    return out
