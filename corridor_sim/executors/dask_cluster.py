"""The Dask distributed backend (optional extra `corridor-sim[dask]`)."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator

from ..errors import CorridorSimError

CONNECT_TIMEOUT = "20s"
# A local cluster's workers run one pure-Python replication at a time, and every periodic job of a
# worker takes the GIL from it: the statistical profiler (every 10 ms by default), the event loop's
# tick (20 ms), the memory monitor (100 ms) and the system monitor (500 ms). Without the profiler and
# with the others slowed down, a replication on Dask takes what it takes in a process pool.
LOCAL_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "5s",
    "distributed.admin.system-monitor.interval": "5s",
}


def _distributed():
    try:
        import distributed
    except ImportError:
        raise CorridorSimError("the dask executor needs the optional extra: pip install 'corridor-sim[dask]'") from None
    return distributed


@contextmanager
def dask_executor(address: str | None = None, workers: int = 2, processes: bool = True) -> Iterator:
    """A `concurrent.futures.Executor` on a Dask cluster.

    With `address` (e.g. `tcp://10.0.0.5:8786`) it connects to a running scheduler; its workers
    must have corridor-sim installed. Without, it starts a `LocalCluster` of `workers`
    single-threaded workers and closes it on exit.
    """
    distributed = _distributed()
    with ExitStack() as stack:
        if address:
            try:
                client = stack.enter_context(distributed.Client(address, timeout=CONNECT_TIMEOUT))
            except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address
                raise CorridorSimError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        else:
            import dask

            stack.enter_context(dask.config.set(LOCAL_WORKERS))  # passed on to the workers it starts
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None))
            client = stack.enter_context(distributed.Client(cluster))
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
