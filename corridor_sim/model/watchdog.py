"""A wall-clock limit on one replication, beside the model's limit on simulated time.

The drain's cap (`world.DRAIN_CAP_H`) ends every run whose clock goes on; a loop that does not move
the clock (a flow that thins every candidate at one instant, a process that yields a zero delay
for ever) would still hold a core at 100% without a word. An interval timer (SIGALRM) interrupts
the replication after its limit, wherever it is, and the world then says where its trucks are.

The timer needs the main thread of a process: the process pool's and the serial executor's
replications run there; a Dask worker runs tasks in threads, where the limit is not set (its
replications still have the drain's cap).
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class WallClockExceeded(Exception):
    """Raised inside a replication that ran past its wall-clock limit (not a `CorridorSimError`:
    the world turns it into one, with what it knows of its trucks)."""


def can_limit() -> bool:
    """Whether a limit can be set here: an interval timer, in the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def wall_clock_limit(seconds: float | None) -> Iterator[bool]:
    """Raise `WallClockExceeded` in the block once it has run `seconds` of wall-clock time; yields
    whether the limit is set (None, or a thread other than the main one: no limit). An earlier
    handler and timer are put back as they were."""
    if seconds is None or not can_limit():
        yield False
        return

    def expired(signum: int, frame: object) -> None:
        raise WallClockExceeded

    previous = signal.signal(signal.SIGALRM, expired)
    earlier = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier[0] > 0:  # another timer was running: set again with what it had left
            signal.setitimer(signal.ITIMER_REAL, *earlier)
