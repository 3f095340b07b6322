"""A truck's plan: the kinds of step it takes on its route, and the order of the controls.

Kept apart from the world that builds plans and the engines that follow them, so that both
import it and neither imports the other.
"""
from __future__ import annotations

from enum import IntEnum
from graphlib import CycleError, TopologicalSorter
from typing import Any


class Step(IntEnum):
    """The kinds of step in a truck's plan (see World._plan)."""

    ARRIVE = 0    # (ARRIVE, node name, route position)
    CONTROL = 1   # (CONTROL, Control, None)
    GATHER = 2    # (GATHER, None, route position): wait for the rest of the convoy
    LEAVE = 3     # (LEAVE, node name, route position)
    DRIVE = 4     # (DRIVE, per-truck speed table, km)
    FERRY = 5     # (FERRY, ferry Side, None)


ARRIVE, CONTROL, GATHER, LEAVE, DRIVE, FERRY = Step


def control_order(plans: list[list[tuple]]) -> list[Any] | None:
    """The controls of `plans` in an order that puts each after every control a truck passes
    before it; None if a route passes a control twice or the routes go round in a cycle."""
    graph: TopologicalSorter = TopologicalSorter()
    controls = {}
    for plan in plans:
        passed = [step for kind, step, _ in plan if kind == CONTROL]
        if len({id(c) for c in passed}) < len(passed):
            return None
        for before, after in zip(passed, passed[1:]):
            graph.add(id(after), id(before))
        for control in passed:
            graph.add(id(control))
            controls[id(control)] = control
    try:
        return [controls[key] for key in graph.static_order()]
    except CycleError:
        return None


def until_last_stop(plan: list[tuple]) -> list[tuple]:
    """`plan` up to its last control or ferry (all of it when it has none)."""
    last = max((i for i, (kind, _, _) in enumerate(plan) if kind in (CONTROL, FERRY)), default=len(plan) - 1)
    return plan[:last + 1]


def untraced(plan: list[tuple]) -> list[tuple]:
    """`plan` for a truck that keeps no trace: arriving at and leaving a node only log, and a
    link of 0 km takes no time, so only the controls, ferries and drives remain."""
    return [step for step in plan if step[0] not in (ARRIVE, LEAVE) and not (step[0] == DRIVE and step[2] <= 0)]
