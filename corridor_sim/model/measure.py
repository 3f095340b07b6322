"""The shape of a measure: what a world asks of each one it builds (`measures.MECHANISMS`).

A measure reads its own part of the scenario when the world is built, attaches itself to the
controls and ferries the world makes through their hooks (a control's `before_lane`, `screen`,
`on_release`, `first`, `combine`; a country's customs `add_adjuster`, its threshold and
pre-clearing tables; a ferry side's `first`; hooks are given `now`, the truck's clock, as an
argument), and hands over its outputs when the replication ends. Every method but `features`
has a default that does nothing, so a measure says only what it does. Its random draws come from
a stream named after it, so a scenario without it draws nothing there.

`features(control)` names what the measure changes at a control (`features.FEATURES`), after it
was wired there: the engines are chosen by those names. A measure that does not say (the default,
None) leaves the whole world to the reference engine: a new measure is correct and slow until a
fast engine supports what it does.
"""
from __future__ import annotations

from typing import Any


class Measure:
    table: str | None = None  # the name of its record table, when it has one

    def __init__(self, world: Any) -> None:
        """What it needs for the whole replication, from its scenario section."""

    def wire(self, world: Any, control: Any, authorities: list, key: Any) -> None:
        """Attach itself to a control when the world makes one (`key`: where and which way)."""

    def features(self, control: Any) -> set[str] | None:
        """What it changes at `control` once wired (names of `features.FEATURES`); None: not said."""
        return None

    def wire_ferry(self, world: Any, ferry: Any) -> None:
        """Attach itself to a ferry link when the world makes one."""

    def control_fields(self, control: Any, until: float) -> dict[str, Any]:
        """Its columns of a control's record (controls.csv), over the levels up to `until`."""
        return {}

    def records(self) -> list:
        """The rows of its table (`table`), at the end of the replication."""
        return []

    def truck_columns(self, ids: Any) -> dict[str, Any]:
        """Its columns of the trucks table, for the counted trucks `ids`."""
        return {}
