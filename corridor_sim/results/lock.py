"""One writer per run directory: a lock file beside it, held while a run writes it.

Two commands writing the same directory would otherwise mix their replications. The lock
(`.DIR.lock` beside `DIR`) names the process, host and start; a lock left by a process that is
gone on this host is stale and taken over.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import OutputError


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _holder(path: Path) -> tuple[int, str, str] | None:
    try:
        pid, host, started = path.read_text(encoding="utf-8").split("\n")[:3]
        return int(pid), host, started
    except (OSError, ValueError):
        return None


def held_elsewhere(target: Path) -> bool:
    """Whether a lock that is not stale is held on `target` (`run_lock` would refuse)."""
    path = lock_path(target)
    if not path.exists():
        return False
    holder = _holder(path)
    return holder is None or holder[1] != socket.gethostname() or _alive(holder[0])


@contextmanager
def run_lock(target: Path) -> Iterator[None]:
    """Hold the lock of run directory `target`, or refuse with who holds it."""
    path = lock_path(target)
    me = f"{os.getpid()}\n{socket.gethostname()}\n{dt.datetime.now().isoformat(timespec='seconds')}\n"
    for attempt in (1, 2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {path.parent} for {target}: {exc.strerror or exc}") from None
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            here = holder is not None and holder[1] == socket.gethostname()
            if attempt == 1 and here and not _alive(holder[0]):  # type: ignore[index]
                path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            who = f"process {holder[0]} on {holder[1]} since {holder[2]}" if holder else "another process"
            raise OutputError(f"{target} is being written by {who}; wait for it to finish or write elsewhere "
                              f"(if no run is going, remove {path})") from None
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        break
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(me)
        yield
    finally:
        holder = _holder(path)
        if holder is not None and holder[0] == os.getpid():  # ours: a stale-lock takeover may have replaced it
            path.unlink(missing_ok=True)
