"""The stable code of every warning, said at the end of its sentence (`... [aeo-not-recognised]`).

A warning is meant to be read; one said on every run of a file that means the setting (the
bundled corridor's AEO shares with no recognition, the base of the AEO measure) trains people to
skip them all. A scenario names the codes it means in its `acknowledge:` list and is not warned
of them; a code is the same from one release to the next, so a file's list keeps its meaning.
"""
from __future__ import annotations

import re
from typing import Iterable

CODES: dict[str, str] = {
    "aeo-not-recognised": "AEO trucks where no country recognises AEO: they are treated like any other",
    "joint-control-ignores-controls": "per-country settings at a joint control, which takes the node's own",
    "service-time-in-hours": "a service time written as a bare number, which is read as hours",
    "setting-hidden": "a value set by an overlay, --set or --vary that a more specific setting hides",
    "saturated-control": "a control whose queue grows for as long as the run lasts",
    "saturated-audit": "a post-clearance audit office busy nearly all the time",
    "permits-ran-out": "road permits that ran out, so trucks waited for a later period's quota",
    "no-shared-flow": "a compared scenario that shares no flow or caravan with the baseline",
    "other-dates": "a compared scenario simulated over other dates than the baseline",
}

_CODE = re.compile(r" \[([a-z0-9-]+)\]$")


def coded(code: str, text: str) -> str:
    """A warning's sentence with its code at the end."""
    if code not in CODES:
        raise ValueError(f"unknown warning code {code!r}")
    return f"{text} [{code}]"


def code_of(line: str) -> str | None:
    """The code at the end of a warning's sentence (None for one without)."""
    found = _CODE.search(line)
    return found.group(1) if found and found.group(1) in CODES else None


def unacknowledged(lines: Iterable[str], acknowledged: Iterable[str]) -> list[str]:
    """The warnings whose code a scenario has not acknowledged."""
    known = set(acknowledged)
    return [line for line in lines if code_of(line) not in known]
