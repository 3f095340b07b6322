"""A pool of identical servers (lanes, inspection bays) with a priority queue.

Same semantics as SimPy's PriorityResource (non-preemptive; lower priority value first;
FIFO within a priority), built on plain SimPy events: a free server is taken without an
event at all, and the queue is a heap, so long queues stay cheap.

The number of servers may change (shifts, see staffing.py): a server that closes while busy
finishes its truck and takes no new one; one that opens takes the first truck waiting.
"""
from __future__ import annotations

import heapq
from typing import Generator

import simpy

from .stats import Level
from .truck import Component, Truck

QUEUE, INSPECTION = Component.QUEUE, Component.INSPECTION


class Pool:
    __slots__ = ("env", "capacity", "free", "waiting", "seq", "queue_level", "busy_level", "staffed_level")

    def __init__(self, env: simpy.Environment, capacity: int, queue_level: Level, busy_level: Level,
                 staffed_level: Level | None = None):
        self.env = env
        self.capacity = capacity
        self.free = capacity  # capacity minus busy servers: below 0 while closed servers finish
        self.waiting: list[tuple[int, int, simpy.Event]] = []
        self.seq = 0
        self.queue_level = queue_level
        self.busy_level = busy_level
        self.staffed_level = staffed_level  # servers open, when they change with the clock
        if staffed_level is not None:
            staffed_level.add(env.now, capacity)

    def request(self, priority: int = 1) -> simpy.Event | None:
        """None if a server was free and is now taken; else an event that fires when one is."""
        if self.free > 0 and not self.waiting:
            self.free -= 1
            self.busy_level.add(self.env.now, 1)
            return None
        event = self.env.event()
        self.seq += 1
        heapq.heappush(self.waiting, (priority, self.seq, event))
        self.queue_level.add(self.env.now, 1)
        return event

    def release(self) -> None:
        if self.waiting and self.free >= 0:
            _, _, event = heapq.heappop(self.waiting)
            self.queue_level.add(self.env.now, -1)
            event.succeed()
        else:
            self.free += 1
            self.busy_level.add(self.env.now, -1)

    def set_capacity(self, capacity: int) -> None:
        """Open or close servers now; waiting trucks take the servers that open."""
        now = self.env.now
        change = capacity - self.capacity
        if change == 0:
            return
        if self.staffed_level is not None:
            self.staffed_level.add(now, change)
        self.capacity = capacity
        self.free += change
        while self.free > 0 and self.waiting:
            _, _, event = heapq.heappop(self.waiting)
            self.queue_level.add(now, -1)
            self.free -= 1
            self.busy_level.add(now, 1)
            event.succeed()


def occupy(pool: Pool, truck: Truck, priority: int, hours: float, also: Level | None = None) -> Generator:
    """Take one of `pool`'s servers (the wait booked as queue) and work `hours` on it (booked as
    inspection: a bay or a scanner); the caller releases it when the truck leaves. `also`: a
    queue level that counts the wait besides the pool's own (a control's, at a shared site)."""
    env = pool.env
    granted = pool.request(priority)
    if granted is not None:
        if also is not None:
            also.add(env.now, 1)
        yield granted
        if also is not None:
            also.add(env.now, -1)
        truck.book(QUEUE, env.now)
    if hours > 0:
        yield env.timeout(hours)
        truck.book(INSPECTION, env.now)
