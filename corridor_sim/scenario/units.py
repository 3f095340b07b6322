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


def bare_number(value: object) -> float | None:
    """The number of a duration written without a unit (`30`, `"30"`, read as hours), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and not match.group(2):
            return float(match.group(1))
    return None


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


# --- quantities with units (the costs section) ------------------------------------------------
#
# Every cost, price, fuel rate and emission factor is written with its unit ("0.65 usd/L",
# "3 L/h", "85 g/h"): a bare number, or a number in a unit of another kind, is an error. Each kind
# has one canonical unit the model uses; the others are converted by a factor. No units library:
# these few kinds are all the format needs, and parsing them costs nothing at start-up.

class Quantity:
    """One kind of quantity: its name for people, canonical unit, and the units it accepts."""

    def __init__(self, what: str, canonical: str, units: dict[str, float], example: str):
        self.what = what
        self.canonical = canonical
        self.units = units                     # unit as written (spaces removed) -> factor to canonical
        self.example = example
        self._folded = {u.lower(): f for u, f in units.items()}

    def parse(self, value: object) -> float:
        """The value in the canonical unit; a bare number or a unit of another kind is refused."""
        expected = f"{self.what} with its unit, e.g. {self.example}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"expected {expected}, got {value!r}")
        if isinstance(value, (int, float)):
            raise ValueError(f"give the unit: expected {expected}, got the bare number {value!r}")
        match = _QUANTITY.match(value)
        if not match:
            raise ValueError(f"expected {expected}, got {value!r}")
        number, unit = match.group(1), re.sub(r"\s+", "", match.group(2) or "")
        if not unit:
            raise ValueError(f"give the unit: expected {expected}, got {value!r}")
        factor = self.units.get(unit, self._folded.get(unit.lower()))
        if factor is None:
            other = next((q.what for q in QUANTITIES.values() if q is not self and unit.lower() in q._folded), None)
            hint = f" ({unit} is a unit of {other})" if other else ""
            raise ValueError(f"{unit!r} is not a unit of {self.what}{hint}; expected one of "
                             f"{', '.join(self.units)}, e.g. {self.example}, got {value!r}")
        quantity = float(number) * factor
        if quantity != quantity or quantity in (float("inf"), float("-inf")):
            raise ValueError(f"expected {self.what} that is finite, got {value!r}")
        if quantity < 0:
            raise ValueError(f"expected {self.what} of at least 0, got {value!r}")
        return quantity

    def format(self, value: float) -> str:
        """The canonical text of a value: what `parse` reads back to it."""
        return f"{value:.6g} {self.canonical}"


_QUANTITY = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%$/][A-Za-z0-9%$/ .]*?)?\s*$")

QUANTITIES: dict[str, Quantity] = {
    "money": Quantity("an amount of money", "usd", {"usd": 1.0, "USD": 1.0, "US$": 1.0}, "150 usd"),
    "fuel_price": Quantity("a fuel price", "usd/L", {"usd/L": 1.0, "usd/l": 1.0, "usd/litre": 1.0, "usd/liter": 1.0},
                           "0.65 usd/L"),
    "hourly_cost": Quantity("a cost per hour", "usd/h", {"usd/h": 1.0, "usd/hour": 1.0, "usd/d": 1 / 24,
                                                          "usd/day": 1 / 24}, "25 usd/h"),
    "fuel_per_distance": Quantity("a fuel use per distance", "L/100km",
                                  {"L/100km": 1.0, "l/100km": 1.0, "L/km": 100.0, "l/km": 100.0}, "33 L/100km"),
    "fuel_per_hour": Quantity("a fuel use per hour", "L/h", {"L/h": 1.0, "l/h": 1.0, "L/d": 1 / 24, "l/d": 1 / 24},
                              "3 L/h"),
    "share_per_day": Quantity("a share of the cargo's value per day", "%/d",
                              {"%/d": 1.0, "%/day": 1.0, "%/w": 1 / 7, "%/week": 1 / 7}, "1.35 %/d"),
    "kg_per_litre": Quantity("a mass per litre of fuel", "kg/L", {"kg/L": 1.0, "kg/l": 1.0, "g/L": 1e-3, "g/l": 1e-3},
                             "2.69 kg/L"),
    "g_per_litre": Quantity("a mass per litre of fuel", "g/L", {"g/L": 1.0, "g/l": 1.0, "mg/L": 1e-3, "mg/l": 1e-3,
                                                                "kg/L": 1e3, "kg/l": 1e3}, "14.5 g/L"),
    "g_per_hour": Quantity("a mass per hour", "g/h", {"g/h": 1.0, "g/min": 60.0, "mg/h": 1e-3, "kg/h": 1e3}, "44 g/h"),
    "tonnes": Quantity("a mass of cargo", "t", {"t": 1.0, "tonne": 1.0, "tonnes": 1.0, "kg": 1e-3}, "20 t"),
}


def parse_quantity(kind: str, value: object) -> float:
    """`value` ("0.65 usd/L") in the canonical unit of `kind` (a key of QUANTITIES)."""
    return QUANTITIES[kind].parse(value)


# a road's length: `km: 50` is km, as its key says; `50 km` and `800 m` give the unit
DISTANCE = Quantity("a distance", "km", {"km": 1.0, "m": 1e-3}, "50 km")


def parse_km(value: object) -> object:
    """A length in km: a number as it is (the key says km), a text with its unit (`50 km`,
    `800 m`) converted; the bounds are the field's."""
    expected = "a length in km such as 50, or with its unit (50 km, 800 m)"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected {expected}, got {value!r}")
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            if not _QUANTITY.match(value):
                raise ValueError(f"expected {expected}, got {value!r}") from None
            return DISTANCE.parse(value)
    return value
