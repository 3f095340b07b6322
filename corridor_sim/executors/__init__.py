"""Execution backends behind one interface, a `concurrent.futures.Executor`.

`serial` runs in the calling process, `process` in a spawn-safe local process pool, `dask` on a
Dask distributed cluster (an existing scheduler's address, or a `LocalCluster`). Replications
are pure functions of (scenario, replication, seed), so every backend gives the same results.
"""
from __future__ import annotations

import sys
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Iterable, Iterator

from ..errors import CorridorSimError
from .serial import SerialExecutor

BACKENDS = ("serial", "process", "dask")


def default_backend(workers: int, dask_address: str | None = None) -> str:
    """`dask` when an address is given, `process` for several workers, else `serial`."""
    if dask_address:
        return "dask"
    return "process" if workers > 1 else "serial"


@contextmanager
def make_executor(backend: str | None = None, workers: int = 1, dask_address: str | None = None) -> Iterator[Executor]:
    """An executor for `backend`, shut down (and a local cluster closed) on exit."""
    backend = backend or default_backend(workers, dask_address)
    if workers < 1:
        raise CorridorSimError(f"workers must be at least 1, got {workers}")
    if dask_address and backend != "dask":
        raise CorridorSimError(f"--dask-address needs the dask executor, not {backend!r}")
    if backend == "serial":
        with SerialExecutor() as ex:
            yield ex
    elif backend == "process":
        from .process import process_executor  # multiprocessing: not for `validate` or `--help`

        with process_executor(workers) as ex:
            yield ex
    elif backend == "dask":
        from .dask_cluster import dask_executor

        with dask_executor(dask_address, workers) as ex:
            yield ex
    else:
        raise CorridorSimError(f"unknown executor {backend!r}; expected one of: {', '.join(BACKENDS)}")


def executor_width(executor: Executor) -> int:
    """How many tasks `executor` runs at once (1 when it cannot tell)."""
    width = getattr(executor, "_max_workers", None)
    if isinstance(width, int) and width > 0:
        return width
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            workers = client.scheduler_info()["workers"].values()
            return max(1, sum(int(w.get("nthreads", 1)) for w in workers))
        except Exception:  # a scheduler that cannot answer still runs tasks
            return 1
    return 1


def cancel_waiting(futures: Iterable[Future], executor: Executor) -> None:
    """Cancel the tasks not yet started, when a command stops. Not on a local process pool: its
    stop (`process.process_executor`) cancels them from the pool's own thread, and a task
    cancelled from here is one that thread may still fail when the stopped workers break the pool,
    which Python 3.11 reports with an `InvalidStateError` traceback on a line of its own."""
    if _is_process_pool(executor):
        return
    for future in futures:
        future.cancel()


def _is_process_pool(executor: Executor) -> bool:
    pools = sys.modules.get("concurrent.futures.process")
    return pools is not None and isinstance(executor, pools.ProcessPoolExecutor)


def lost_worker(executor: Executor) -> int | None:
    """The exit code of a process pool's worker that died, if one did (see `process.lost_worker`);
    where no process pool was ever made, none is looked for (nor multiprocessing imported)."""
    if not _is_process_pool(executor):
        return None
    from .process import lost_worker as lost

    return lost(executor)


def cluster_trouble(executor: Executor) -> str | None:
    """What has gone wrong with a Dask executor's cluster (its scheduler lost, no worker left), if
    anything; None for any other executor."""
    watch = getattr(executor, "corridor_sim_watch", None)
    return watch() if watch is not None else None


def scheduler_lost(executor: Executor) -> str | None:
    """`the Dask scheduler at ... was lost` when a Dask executor's client has lost its scheduler."""
    watch = getattr(executor, "corridor_sim_watch", None)
    return watch.scheduler_lost() if watch is not None else None


def backend_name(executor: Executor) -> str:
    if isinstance(executor, SerialExecutor):
        return "serial"
    if getattr(executor, "_client", None) is not None:
        return "dask"
    return "process" if hasattr(executor, "_max_workers") else type(executor).__name__


__all__ = ["BACKENDS", "SerialExecutor", "make_executor", "default_backend", "executor_width", "backend_name",
           "lost_worker", "cancel_waiting", "cluster_trouble", "scheduler_lost"]
