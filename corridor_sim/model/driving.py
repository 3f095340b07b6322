"""Driving a link under AETR-like driving-time rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generator

import simpy

from .truck import Component, Truck

DRIVE, REST = Component.DRIVE, Component.REST

EPS = 1e-9


@dataclass(frozen=True)
class DrivingRules:
    """Hours of driving before a break, per day before a daily rest, and their lengths."""

    max_block: float = 4.5
    break_h: float = 0.75
    max_day: float = 9.0
    daily_rest: float = 11.0

    @staticmethod
    def for_crew(crew: str) -> "DrivingRules":
        # A double crew swaps drivers instead of breaking, and drives up to 2 x 9 h before a
        # 9 h daily rest (AETR multi-manning), so breaks never bind.
        if crew == "double":
            return DrivingRules(max_block=float("inf"), break_h=0.75, max_day=18.0, daily_rest=9.0)
        return DrivingRules()


def drive(env: simpy.Environment, truck: Truck, hours: float, rules: DrivingRules | None) -> Generator:
    """Drive `hours` of wheel time, stopping for breaks and daily rests as the rules require.

    A wait of at least a break's length since the truck last drove counts as a break, of
    at least a daily rest as a daily rest (queues, closed posts, ferries all count).
    """
    if hours <= 0:
        return
    if rules is None:
        yield env.timeout(hours)
        truck.book(DRIVE, env.now)
        return
    idle = env.now - truck.last_drive_end
    if idle >= rules.daily_rest - EPS:
        truck.today = truck.since_break = 0.0
    elif idle >= rules.break_h - EPS:
        truck.since_break = 0.0
    remaining = hours
    while remaining > EPS:
        if truck.today >= rules.max_day - EPS:
            yield env.timeout(rules.daily_rest)
            truck.book(REST, env.now)
            truck.today = truck.since_break = 0.0
            continue
        if truck.since_break >= rules.max_block - EPS:
            yield env.timeout(rules.break_h)
            truck.book(REST, env.now)
            truck.since_break = 0.0
            continue
        segment = min(remaining, rules.max_block - truck.since_break, rules.max_day - truck.today)
        yield env.timeout(segment)
        truck.book(DRIVE, env.now)
        truck.since_break += segment
        truck.today += segment
        remaining -= segment
    truck.last_drive_end = env.now
