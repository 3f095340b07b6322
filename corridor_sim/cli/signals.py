"""How the command meets signals: SIGTERM and SIGHUP (a closed terminal) stop it as Ctrl-C does,
and a signal that arrives while it is already stopping is remembered rather than raised halfway
through saying what is kept.

A terminal's hang-up or a batch scheduler sends SIGTERM to the whole process group, so the pool's
workers die at the same moment as the command is told to stop; the command may see the lost
worker first and be stopping on it when its own signal is handled. Raised there, the signal would
cut short the line that says which replications are kept and how to resume them.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Iterator

# what signal.signal takes and gives back
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `timeout`, `kill` and batch schedulers send), handled as Ctrl-C is."""


class HungUp(Terminated):
    """SIGHUP (the terminal was closed): the command stops as on SIGTERM, keeps what is finished
    and says so (on stderr, which may be a log), where the default action ended it without a word."""


_held: list[int] | None = None  # while stopping: the signals received, in order


def _terminate(signum: int, frame: object) -> None:
    if _held is not None:
        _held.append(signum)
        return
    raise HungUp() if signum == getattr(signal, "SIGHUP", None) else Terminated()


def _interrupt(signum: int, frame: object) -> None:
    if _held is not None:
        _held.append(signum)
        return
    raise KeyboardInterrupt()


@contextmanager
def command_signals() -> Iterator[None]:
    """SIGTERM stops like Ctrl-C; a file-size limit (`ulimit -f`) is an error on the write that
    crosses it rather than a signal that kills the process. Restored on exit (tests call main)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted: dict[signal.Signals, _Handler] = {signal.SIGTERM: _terminate}
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is signal.SIG_DFL:  # not under nohup
        wanted[signal.SIGHUP] = _terminate
    if hasattr(signal, "SIGXFSZ"):
        wanted[signal.SIGXFSZ] = signal.SIG_IGN
    before = {sig: signal.signal(sig, handler) for sig, handler in wanted.items()}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@contextmanager
def signals_held() -> Iterator[list[int]]:
    """Within: SIGTERM and SIGINT are noted in the yielded list instead of raised, so a command
    that is stopping finishes saying why; outside the main thread (no handlers there) a no-op."""
    global _held
    if threading.current_thread() is not threading.main_thread() or _held is not None:
        yield []
        return
    held: list[int] = []
    _held = held
    before: dict[signal.Signals, _Handler] = {}
    try:
        hangup = [(signal.SIGHUP, _terminate)] if hasattr(signal, "SIGHUP") else []
        for sig, handler in ((signal.SIGINT, _interrupt), (signal.SIGTERM, _terminate), *hangup):
            if signal.getsignal(sig) in (signal.default_int_handler, _terminate):  # only what raises today
                before[sig] = signal.signal(sig, handler)
        yield held
    finally:
        for sig, previous in before.items():
            signal.signal(sig, previous)
        _held = None


def stop_for(held: list[int]) -> KeyboardInterrupt | None:
    """The stop that the first held signal asks for, or None if none came."""
    if not held:
        return None
    if held[0] == getattr(signal, "SIGHUP", None):
        return HungUp()
    return Terminated() if held[0] == signal.SIGTERM else KeyboardInterrupt()
