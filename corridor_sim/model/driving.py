"""Driving a link under AETR-like driving-time rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generator, Protocol

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


class Driven(Protocol):
    """What `rest_needed` reads and writes of a truck (a Truck, or a stand-in for one)."""

    since_break: float
    today: float
    last_drive_end: float


def rest_needed(truck: Driven, start: float, hours: float, rules: DrivingRules) -> float:
    """Hours of breaks and daily rests a truck takes to drive `hours` from `start` on.

    A wait of at least a break's length since the truck last drove counts as a break, of at
    least a daily rest as a daily rest (queues, closed posts, ferries all count). Updates the
    truck's hours since its last break and today, as they are when it arrives.
    """
    idle = start - truck.last_drive_end
    since_break, today = truck.since_break, truck.today
    if idle >= rules.daily_rest - EPS:
        today = since_break = 0.0
    elif idle >= rules.break_h - EPS:
        since_break = 0.0
    rest = 0.0
    remaining = hours
    while remaining > EPS:
        if today >= rules.max_day - EPS:
            rest += rules.daily_rest
            today = since_break = 0.0
            continue
        if since_break >= rules.max_block - EPS:
            rest += rules.break_h
            since_break = 0.0
            continue
        segment = min(remaining, rules.max_block - since_break, rules.max_day - today)
        since_break += segment
        today += segment
        remaining -= segment
    truck.since_break, truck.today = since_break, today
    return rest


def drive(env: simpy.Environment, truck: Truck, hours: float, rules: DrivingRules | None) -> Generator:
    """Drive `hours` of wheel time, stopping for breaks and daily rests as the rules require.

    Nothing can happen to a truck on the road, so the whole drive, rests included, is one
    timeout; its wheel time is booked as drive and the rest of it as rest.
    """
    if hours <= 0:
        return
    if rules is None:
        yield env.timeout(hours)
        truck.book(DRIVE, env.now)
        return
    rest = rest_needed(truck, env.now, hours, rules)
    yield env.timeout(hours + rest)
    driven(truck, env.now, hours, rest, True)


def driven(truck: Truck, now: float, hours: float, rest: float, rules: bool) -> None:
    """A drive of `hours` wheel time and `rest` hours of rests ends at `now`: book it (under
    driving `rules`, or without any: wheel time only)."""
    if not rules:
        truck.book(DRIVE, now)
        return
    if rest > 0:
        truck.book_split(now, DRIVE, hours, REST)
    else:
        truck.book(DRIVE, now)
    truck.last_drive_end = now
