"""Units of the scenario format: every duration becomes hours (float)."""
from __future__ import annotations

import re

HOURS_PER_UNIT: dict[str, float] = {
    "s": 1 / 3600, "sec": 1 / 3600, "second": 1 / 3600, "seconds": 1 / 3600,
    "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "m": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0,
    "w": 168.0, "wk": 168.0, "week": 168.0, "weeks": 168.0,
}
_DURATION = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*$")


def parse_duration(value: object) -> float:
    """A duration in hours from `45min`, `2h`, `1.5d` or a bare number (hours)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 45min, 2h or 1.5d, got {value!r}")
    if isinstance(value, (int, float)):
        hours = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"expected a duration such as 45min, 2h or 1.5d, got {value!r}")
        number, unit = match.groups()
        if unit and unit not in HOURS_PER_UNIT:
            raise ValueError(
                f"unknown unit {unit!r} in {value!r}; expected one of s, min, h, d, w"
            )
        hours = float(number) * HOURS_PER_UNIT.get(unit, 1.0)
    else:
        raise ValueError(f"expected a duration such as 45min, 2h or 1.5d, got {value!r}")
    if hours != hours or hours in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite duration, got {value!r}")
    if hours < 0:
        raise ValueError(f"expected a duration of at least 0, got {value!r}")
    return hours


def parse_number(value: object) -> float:
    """A plain number (km/h, counts); strings of numbers are accepted."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {value!r}")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite number, got {value!r}")
    if number < 0:
        raise ValueError(f"expected a number of at least 0, got {value!r}")
    return number


def format_hours(hours: float, exact: bool = False) -> str:
    """Hours as a readable duration string: `2d`, `45min`, `1.5h`.

    Four significant digits by default (for display); with `exact`, the shortest text that
    `parse_duration` reads back to exactly the same float.
    """
    if hours == 0:
        return "0h"
    candidates: list[tuple[float, str]] = []
    if hours >= 48 and (hours / 24).is_integer():
        candidates.append((hours / 24, "d"))
    if hours < 1:
        candidates.append((hours * 60, "min"))
    candidates.append((hours, "h"))
    if not exact:
        value, unit = candidates[0]
        return f"{value:.4g}{unit}"
    for value, unit in candidates:
        for number in (f"{value:.4g}", repr(value)):
            text = number + unit
            if parse_duration(text) == hours:
                return text
    return f"{hours!r}h"
