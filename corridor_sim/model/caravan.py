"""Convoys: every member waits at each node until all members have passed it."""
from __future__ import annotations

from typing import Generator

import simpy

from .truck import Component, Truck


class Convoy:
    __slots__ = ("env", "size", "counts", "events")

    def __init__(self, env: simpy.Environment, size: int, n_nodes: int):
        self.env = env
        self.size = size
        self.counts = [0] * n_nodes
        self.events = [env.event() for _ in range(n_nodes)]

    def gather(self, truck: Truck, index: int) -> Generator:
        """Wait for the others at node `index`; the wait counts as queue time."""
        self.counts[index] += 1
        if self.counts[index] == self.size:
            self.events[index].succeed()
            return
        truck.where = f"waiting for the convoy at node {index}"
        yield self.events[index]
        truck.book(Component.QUEUE, self.env.now)
