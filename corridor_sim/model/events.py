"""Events that SimPy's public timeouts cannot give: at an absolute time, or before the other
events of the same moment. The one place that builds a SimPy event by hand."""
from __future__ import annotations

from heapq import heappush

import simpy
from simpy.events import NORMAL, URGENT


def _succeeded(env: simpy.Environment) -> simpy.Event:
    """An event that has succeeded (as a timeout has), not yet on the queue."""
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    return event


def wake_at(env: simpy.Environment, time: float) -> simpy.Event:
    """An event at the absolute time `time` (not before the clock). A timeout of `time - now`
    would fire at `now + (time - now)`, which can differ from `time` in the last bit; the pools'
    grants happen at the very time a server frees, so a FIFO server's start must too. SimPy's
    public API schedules only at `now + delay`, and some times are no such sum for any float
    delay (`now` an odd multiple of half the ulp of `time`: every sum is a tie, rounded to even),
    so the event is put on the queue as `Environment.schedule` puts it."""
    event = _succeeded(env)
    heappush(env._queue, (time, NORMAL, next(env._eid), event))  # as Environment.schedule does
    return event


def first_after(env: simpy.Environment, delay: float) -> simpy.Event:
    """A timeout of `delay` that goes before the other events at the same moment (priority URGENT)."""
    event = _succeeded(env)
    env.schedule(event, URGENT, delay)
    return event
