"""The serial backend: tasks run in the calling process, one at a time, when submitted."""
from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Callable


class SerialExecutor(Executor):
    """A `concurrent.futures.Executor` that runs each task at `submit`.

    Errors land in the returned future, as with any executor; KeyboardInterrupt propagates
    at once so Ctrl-C stops a serial run between (or inside) replications.
    """

    _max_workers = 1

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot submit to a shut-down executor")
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - delivered through the future
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shutdown = True
