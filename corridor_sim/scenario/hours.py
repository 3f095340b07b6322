"""Opening hours (`24/7`, `Mon-Fri 09:00-18:00; Sat 09:00-13:00`) and holidays."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEK = 168.0
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class WeeklyHours:
    """Open intervals in hours of the week (Monday 00:00 = 0), sorted and merged."""

    intervals: tuple[tuple[float, float], ...]
    text: str = "24/7"

    @property
    def always_open(self) -> bool:
        return self.intervals == ((0.0, WEEK),)

    def open_hours_per_week(self) -> float:
        return sum(b - a for a, b in self.intervals)


def _days(spec: str, text: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        ends = [p.strip().capitalize()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in DAYS for e in ends):
            raise ValueError(
                f"cannot read the days {part!r} in {text!r}; expected e.g. Mon, Mon-Fri, Sat,Sun"
            )
        first = DAYS.index(ends[0])
        last = DAYS.index(ends[-1])
        span = (last - first) % 7
        days.extend((first + i) % 7 for i in range(span + 1))
    return days


def parse_hours(value: object) -> WeeklyHours:
    """WeeklyHours from the scenario text; several ranges are joined by `;`."""
    if isinstance(value, WeeklyHours):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected opening hours such as '24/7' or 'Mon-Fri 09:00-18:00', got {value!r}")
    text = value.strip()
    if text.lower() in ("24/7", "always"):
        return WeeklyHours(((0.0, WEEK),), "24/7")
    raw: list[tuple[float, float]] = []
    for chunk in text.split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts = chunk.rsplit(None, 1)
        if len(parts) == 2:
            days = _days(parts[0], text)
            times = parts[1]
        else:
            days, times = list(range(7)), parts[0]
        match = _RANGE.match(times)
        if not match:
            raise ValueError(
                f"cannot read the time range {times!r} in {text!r}; expected HH:MM-HH:MM such as 09:00-18:00"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
            raise ValueError(f"invalid time in {times!r} of {text!r}")
        start, end = h1 + m1 / 60, h2 + m2 / 60
        if end == start:
            raise ValueError(f"empty time range {times!r} in {text!r}")
        if end < start:  # overnight, e.g. 22:00-06:00
            end += 24
        for day in days:
            a, b = day * 24 + start, day * 24 + end
            if b <= WEEK:
                raw.append((a, b))
            else:
                raw.extend([(a, WEEK), (0.0, b - WEEK)])
    if not raw:
        raise ValueError(f"opening hours {text!r} never open; expected e.g. '24/7' or 'Mon-Fri 09:00-18:00'")
    raw.sort()
    merged: list[list[float]] = []
    for a, b in raw:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return WeeklyHours(tuple((a, b) for a, b in merged), text)


def parse_holiday(value: object) -> tuple[dt.date, dt.date]:
    """A closed day `2024-10-01` or an inclusive range `2024-10-01..2024-10-06`."""
    if isinstance(value, tuple) and len(value) == 2:
        return value  # already resolved
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value, value)
    if isinstance(value, str):
        try:
            if ".." in value:
                a, b = value.split("..", 1)
                first, last = dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
            else:
                first = last = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"expected a date 2024-10-01 or a range 2024-10-01..2024-10-06, got {value!r}"
            ) from None
        if last < first:
            raise ValueError(f"holiday range {value!r} ends before it starts")
        return (first, last)
    raise ValueError(f"expected a date 2024-10-01 or a range 2024-10-01..2024-10-06, got {value!r}")
