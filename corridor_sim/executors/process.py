"""The local process-pool backend, spawn-safe on every platform."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator


PARENT_CHECK_S = 0.5  # how often a worker looks for its parent


def _start_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the main process, which keeps what is finished and stops them; and
    a worker whose main process is gone (kill -9, a crash) exits within a second rather than
    waiting for work for ever: a thread checks that its parent is still the process that started it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)  # an orphan: nothing to report to, nothing of its own to keep


def warm(module: str) -> None:
    """A task that makes a new worker import `module` (what its replications will need)."""
    import importlib

    importlib.import_module(module)


def lost_worker(executor: Executor) -> int | None:
    """The exit code of a pool worker that died (killed, out of memory), or None.

    ProcessPoolExecutor notices most deaths itself, but not a worker killed while it was sending
    a result back: the pool then waits for the rest of that message for ever. The caller polls
    this while it waits, so a lost worker always ends the run with an error, never a hang.
    """
    if not isinstance(executor, ProcessPoolExecutor):
        return None
    return next((p.exitcode for p in _workers(executor) if p.exitcode is not None), None)


def _workers(pool: ProcessPoolExecutor) -> list:
    """The pool's worker processes (ProcessPoolExecutor keeps them in a private mapping)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    processes = _workers(pool)
    if terminate is not None:
        terminate()
    else:
        for process in processes:
            if process.is_alive():
                process.terminate()
    for process in processes:
        process.join(timeout=5)
    # With every worker gone, close this process's end of the result pipe too: a reader stuck
    # on a half-sent result then sees end-of-file, and the pool's manager thread can finish.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None and not any(p.is_alive() for p in processes):
        writer.close()


@contextmanager
def process_executor(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` spawned processes; on an error or Ctrl-C the workers are stopped at once.

    Spawn (not fork) so a worker starts clean: no inherited locks, threads or open files,
    and the same behaviour on Linux, macOS and Windows.
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _stop_workers(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        if lost_worker(pool):  # a worker died and the caller went on: a plain shutdown could wait for
            _stop_workers(pool)  # ever on the result it was sending (0: let go by an early shutdown)
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=True)
