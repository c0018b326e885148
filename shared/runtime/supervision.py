"""Every long-running task of a service in one place: started, watched, restarted, reported, stopped.

A task that raises is logged with its traceback and started again after a capped exponential back-off; the
back-off starts over once a run has lasted `healthy_after` seconds. A task that returns has done its work (a
start-up job) and is not started again. `/readyz` asks `states()`: a task waiting to be restarted is not ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from shared.logging import get_logger

log = get_logger(__name__)

RUNNING, FINISHED, RESTARTING, STOPPED = "running", "finished", "restarting", "stopped"


@dataclass(frozen=True)
class Backoff:
    initial_seconds: float = 0.5
    max_seconds: float = 30.0
    healthy_after_seconds: float = 60.0


@dataclass
class _Supervised:
    name: str
    run: Callable[[], Awaitable[None]]
    stop: Callable[[], None] | None
    task: asyncio.Task[None] | None = None
    stopping: asyncio.Event | None = None
    state: str = RUNNING
    last_error: str | None = None
    restarts: int = 0


class Supervisor:
    def __init__(self, backoff: Backoff | None = None) -> None:
        self.backoff = backoff or Backoff()
        self._tasks: dict[str, _Supervised] = {}

    def start(
        self, name: str, run: Callable[[], Awaitable[None]], *, stop: Callable[[], None] | None = None
    ) -> None:
        """Run `run()` under supervision. `stop`, if given, asks it to finish on its own when it is stopped (it
        is cancelled if it has not finished in time); a task without one is cancelled at once."""
        existing = self._tasks.get(name)
        # a stopped task may start again: an app whose lifespan runs twice starts its runtime twice
        if existing is not None and existing.state != STOPPED:
            raise ValueError(f"a task named {name!r} is already supervised")
        supervised = _Supervised(name, run, stop, stopping=asyncio.Event())
        supervised.task = asyncio.create_task(self._keep_running(supervised), name=name)
        self._tasks[name] = supervised

    def states(self) -> dict[str, str]:
        """Each task's name and "ok" (running, or finished its work), or what is wrong with it."""
        return {name: _describe(supervised) for name, supervised in self._tasks.items()}

    @property
    def names(self) -> set[str]:
        return set(self._tasks)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [supervised.task for supervised in self._tasks.values() if supervised.task is not None]

    def restarts(self, name: str) -> int:
        return self._tasks[name].restarts

    async def stop(self, names: Iterable[str] | None = None, *, timeout: float = 10.0) -> None:
        """Stop these tasks (all by default): ask those that can finish on their own and wait for them up to
        `timeout` seconds; cancel the others, and any still running then."""
        chosen = [self._tasks[name] for name in names] if names is not None else list(self._tasks.values())
        for supervised in chosen:
            assert supervised.stopping is not None and supervised.task is not None
            supervised.stopping.set()
            if supervised.stop is not None:
                supervised.stop()
            else:
                supervised.task.cancel()
        tasks = [s.task for s in chosen if s.task is not None and not s.task.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for supervised in chosen:
            supervised.state = STOPPED

    async def _keep_running(self, supervised: _Supervised) -> None:
        stopping = supervised.stopping
        assert stopping is not None
        delay = self.backoff.initial_seconds
        while not stopping.is_set():
            supervised.state = RUNNING
            started = time.monotonic()
            try:
                await supervised.run()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if stopping.is_set():
                    return
                if time.monotonic() - started >= self.backoff.healthy_after_seconds:
                    delay = self.backoff.initial_seconds
                supervised.state = RESTARTING
                supervised.last_error = repr(error)
                supervised.restarts += 1
                log.exception(
                    "background task failed; restarting it", task=supervised.name, restart_in_seconds=delay
                )
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=delay)
                delay = min(delay * 2, self.backoff.max_seconds)
            else:
                supervised.state = FINISHED
                return


def _describe(supervised: _Supervised) -> str:
    if supervised.state in (RUNNING, FINISHED):
        return "ok"
    if supervised.state == RESTARTING:
        return f"restarting after {supervised.last_error}"
    return supervised.state
