"""The Dask distributed backend (optional extra `corridor-sim[dask]`)."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator

from ..errors import CorridorSimError

CONNECT_TIMEOUT = "20s"
WORKERS_TIMEOUT = "60s"  # a scheduler with no worker by then is said to have none
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


def _seconds(timeout: str) -> float:
    from dask.utils import parse_timedelta

    return float(parse_timedelta(timeout))


def _connect(distributed, address: str):
    """A client of the scheduler at `address`, or one line within the connect timeout: Dask's own
    timeout covers the connection, not the handshake, so a server that accepts and never answers
    would hold the command for ever, and one that answers something else (an HTTP server) can
    make it read a garbage frame length and run out of memory."""
    import threading

    box: dict = {}

    def attempt() -> None:
        try:
            box["client"] = distributed.Client(address, timeout=CONNECT_TIMEOUT)
        except BaseException as exc:  # said below, in the command's thread
            box["error"] = exc

    thread = threading.Thread(target=attempt, name="corridor-sim-dask-connect", daemon=True)
    thread.start()
    thread.join(_seconds(CONNECT_TIMEOUT) + 2)
    if thread.is_alive():
        raise CorridorSimError(f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT} (is it the address "
                               "of a Dask scheduler?)")
    error = box.get("error")
    if isinstance(error, (OSError, TimeoutError, ValueError)):  # ValueError: not an address
        raise CorridorSimError(f"cannot reach the Dask scheduler at {address}: {error}")
    if error is not None:
        raise CorridorSimError(f"{address} did not answer as a Dask scheduler ({type(error).__name__}); "
                               "is it the address of one?")
    return box["client"]


def _wait_for_workers(client, address: str) -> None:
    """A scheduler without workers would take the tasks and hold them for ever: wait for one,
    then say there is none."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except TimeoutError:
        raise CorridorSimError(f"the Dask scheduler at {address} has no workers (none joined within "
                               f"{WORKERS_TIMEOUT}); start one with: dask worker {address}") from None


class _Watch:
    """What has gone wrong with a cluster while tasks wait on it, checked every second or so:
    its scheduler lost (the client is no longer connected to it), or no worker left for longer
    than WORKERS_TIMEOUT (the tasks would wait for ever)."""

    def __init__(self, client, address: str):
        self.client = client
        self.address = address
        self.empty_since: float | None = None

    def scheduler_lost(self) -> str | None:
        if self.client.status in ("running", "newly-created"):
            return None
        return f"the Dask scheduler at {self.address} was lost (no longer connected)"

    def __call__(self) -> str | None:
        import time

        lost = self.scheduler_lost()
        if lost:
            return lost
        info = getattr(self.client, "_scheduler_identity", None) or {}
        workers = info.get("n_workers", len(info.get("workers") or {})) if info else 1
        if workers:
            self.empty_since = None
            return None
        now = time.monotonic()
        self.empty_since = self.empty_since or now
        if now - self.empty_since > _seconds(WORKERS_TIMEOUT):
            return f"the Dask scheduler at {self.address} has had no workers for {WORKERS_TIMEOUT}"
        return None


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    import logging

    # distributed gives its loggers levels of their own (its `logging` config), so each is set
    names = [n for n in list(logging.root.manager.loggerDict) if n == name or n.startswith(name + ".")]
    loggers = [logging.getLogger(n) for n in [name, *names]]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


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
            # a lost scheduler is said in one line; the client's reconnection tracebacks, logged
            # until it is closed, are not
            stack.enter_context(_quiet("distributed"))
            client = stack.enter_context(_connect(distributed, address))
            _wait_for_workers(client, address)
        else:
            import dask

            stack.enter_context(dask.config.set(LOCAL_WORKERS))  # passed on to the workers it starts
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None))
            client = stack.enter_context(distributed.Client(cluster))
        executor = client.get_executor(pure=False)
        executor.corridor_sim_watch = _Watch(client, address or "the local cluster")  # read by executors.cluster_trouble
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
