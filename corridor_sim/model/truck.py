"""A truck: who it is, and the time it has spent in each of the eight components."""
from __future__ import annotations

COMPONENTS = ("drive", "rest", "closed", "queue", "document", "inspection", "ferry_wait", "ferry_sail")


class Truck:
    """Plain record updated in place by the processes it passes through.

    Time accounting: `mark` is when the current component started; every step adds
    `now - mark` to exactly one component and moves `mark` to now, so the components
    tile [depart, arrive] and sum to the lead time.
    """

    __slots__ = (
        "id", "group", "caravan", "aeo", "regime", "risk", "noncompliant", "detected",
        "prenotified", "counted", "depart", "mark", "km", "yellow", "inspections",
        "drive", "rest", "closed", "queue", "document", "inspection", "ferry_wait", "ferry_sail",
        "since_break", "today", "last_drive_end", "where", "trace",
    )

    def __init__(self, id: int, group: int, now: float, aeo: bool, regime: int, risk: int,
                 noncompliant: bool, prenotified: bool, counted: bool, caravan: str | None = None):
        self.id = id
        self.group = group
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
        self.drive = self.rest = self.closed = self.queue = 0.0
        self.document = self.inspection = self.ferry_wait = self.ferry_sail = 0.0
        self.since_break = 0.0
        self.today = 0.0
        self.last_drive_end = float("-inf")
        self.where = "departing"
        self.trace: list | None = None

    def log(self, node: str, event: str, time: float) -> None:
        if self.trace is not None:
            self.trace.append((self.id, node, event, time, self.km))
