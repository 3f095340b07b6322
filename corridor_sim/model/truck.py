"""A truck: who it is, and the time it has spent in each component of its lead time."""
from __future__ import annotations

from typing import Any

from enum import IntEnum
from operator import attrgetter

from ..scenario.schema import REGIMES


class Component(IntEnum):
    """Where a truck's time goes. Every hour of a lead time is booked to exactly one."""

    DRIVE = 0
    REST = 1          # AETR breaks and daily rests taken on the road
    CLOSED = 2        # waiting for a closed control to open
    QUEUE = 3         # waiting for a lane or an inspection bay, and for the rest of a convoy
    DOCUMENT = 4      # document check, error correction and yellow check in the lane
    INSPECTION = 5    # physical inspection in a bay, and handling in the lane
    FERRY_WAIT = 6
    FERRY_SAIL = 7
    BOOKING = 8       # waiting for an admission slot of a control's daily cap (e-queue)
    PERMIT = 9        # waiting at a border for a road permit of a later period's quota


COMPONENTS: tuple[str, ...] = tuple(c.name.lower() for c in Component)


class Regime(IntEnum):
    """Transit regimes by index, in the scenario format's order (`Regime.ETIR`, ...)."""

    PAPER_TIR = 0
    ETIR = 1
    NATIONAL = 2


assert [r.name.lower() for r in Regime] == list(REGIMES), "Regime must follow schema.REGIMES"

# What a counted truck hands over when it arrives, in this order: its identity and attributes,
# then the hour it arrived, then one column per component (see `Truck.record`).
IDENTITY = (("truck", "id", "i8"), ("group", "group", "i4"), ("index", "index", "i8"), ("aeo", "aeo", "?"),
            ("regime", "regime", "i1"), ("risk", "risk", "i2"), ("noncompliant", "noncompliant", "?"),
            ("detected", "detected", "?"), ("depart_h", "depart", "f8"), ("km", "km", "f8"),
            ("yellow", "yellow", "i4"), ("inspections", "inspections", "i4"), ("scans", "scans", "i4"))
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    *((name, dtype) for name, _, dtype in IDENTITY),
    ("arrive_h", "f8"),
    *((f"{c}_h", "f8") for c in COMPONENTS),
)
_identity = attrgetter(*(attribute for _, attribute, _ in IDENTITY))


class Truck:
    """Plain record updated in place by the places it passes through.

    Identity: `group` (its flow or caravan) and `index`, its position among that group's
    trucks in order of departure. The random draws a truck takes anywhere are keyed by these
    two, so a change elsewhere in the scenario never hands it another truck's draws.

    Time accounting: `mark` is when the current component started; `book(component, now)`
    adds `now - mark` to that one component and moves `mark` to now (`book_split` shares it
    between two, for a drive with its rests). Nothing else writes the components, so they tile
    [depart, arrive] and sum to the lead time.
    """

    __slots__ = (
        "id", "group", "index", "caravan", "aeo", "regime", "risk", "noncompliant", "detected",
        "prenotified", "counted", "depart", "mark", "km", "yellow", "inspections", "scans", "times",
        "since_break", "today", "last_drive_end", "where", "trace", "holds", "cleared_by", "cleared_at", "clean",
    )

    # set only in scenarios with an information exchange (below)
    cleared_by: str | None
    cleared_at: float
    clean: bool

    def __init__(self, id: int, group: int, index: int, now: float, aeo: bool, regime: int, risk: int,
                 noncompliant: bool, prenotified: bool, counted: bool, caravan: str | None = None):
        self.id = id
        self.group = group
        self.index = index
        self.caravan = caravan
        self.aeo = aeo
        self.regime = regime
        self.risk = risk
        self.noncompliant = noncompliant
        self.detected = False
        self.prenotified = prenotified
        self.counted = counted
        self.depart = now
        self.mark = now
        self.km = 0.0
        self.yellow = 0
        self.inspections = 0
        self.scans = 0
        self.times = [0.0] * len(COMPONENTS)
        self.since_break = 0.0
        self.today = 0.0
        self.last_drive_end = float("-inf")
        self.where = "departing"
        self.trace: list | None = None
        self.holds: Any = None  # the next control's lane, taken before leaving a coupled exit control
        # `cleared_by`, `cleared_at`, `clean`: the last control that released the truck, when, and
        # whether it inspected it and found it compliant; set by that control only in scenarios
        # with an information exchange (exchange.py), unset before (nothing to pay on every truck)

    def book(self, component: Component, now: float) -> None:
        """The time since the last booking was spent in `component`."""
        self.times[component] += now - self.mark
        self.mark = now

    def book_split(self, now: float, first: Component, hours: float, second: Component) -> None:
        """The time since the last booking: `hours` of it in `first`, the rest in `second`."""
        self.times[first] += hours
        self.times[second] += now - self.mark - hours
        self.mark = now

    def record(self, arrived: float) -> tuple:
        """The row of RECORD_COLUMNS for this truck, arrived at `arrived`."""
        return (*_identity(self), arrived, *self.times)

    def log(self, node: str, event: str, time: float) -> None:
        if self.trace is not None:
            self.trace.append((self.id, node, event, time, self.km))
