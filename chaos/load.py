"""Reports offered at a steady rate while parts of the system are down, as a patient client sends them.

Through patrol's HTTP API: a request that fails (refused, cut off, a 5xx) is sent again with the same
`report_id`, to the next replica, until patrol answers 201 (made) or 200 (made by an earlier try whose answer was
lost); only then is the report acknowledged. Into the outbox: a transaction that fails is tried again with the
same event, and a unique violation of its id means an earlier try committed. A report still unanswered after
`give_up_seconds` is not acknowledged: it may or may not exist, and the checker asks nothing of it.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import asyncpg

from bench.feed import HttpFeeder, OutboxFeeder, ServerClosed, Spot
from bench.observe import Tracker
from shared.events.envelope import new_envelope
from shared.outbox.writer import append

PATROL_SOURCE = "/services/patrol"
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 2.0


class PatientHttpFeeder:
    name = "http"

    def __init__(
        self, base_urls: list[str], auth_secret: str, tracker: Tracker, give_up_seconds: float = 120
    ) -> None:
        self._tracker = tracker
        self._replicas = [HttpFeeder(url, auth_secret, tracker) for url in base_urls]
        self._turn = 0
        self.give_up_seconds = give_up_seconds
        self.concurrency = 64
        self.errors: list[str] = []
        self.retries = 0
        self.report_ids: list[str] = []
        self.answers: dict[str, tuple[int, int]] = {}  # report id → the status that acknowledged it, attempts
        self.misattributed: list[str] = []

    async def submit(self, spots: list[Spot]) -> list[str]:
        return list(await asyncio.gather(*(self._one(spot) for spot in spots)))

    async def _one(self, spot: Spot) -> str:
        report_id = str(uuid.uuid4())
        self.report_ids.append(report_id)
        deadline = time.monotonic() + self.give_up_seconds
        pause = FIRST_PAUSE
        attempts = 0
        while True:
            attempts += 1
            replica = self._replicas[self._turn % len(self._replicas)]
            self._turn += 1
            try:
                status, body = await asyncio.wait_for(replica.attempt(report_id, spot), timeout=15)
                answered_for = _report_id_of(body) if status in (200, 201) else None
                if answered_for == report_id:
                    self._tracker.committed[report_id] = time.perf_counter()
                    self.answers[report_id] = (status, attempts)
                    return report_id
                failure = f"{status}: {body[:120].decode(errors='replace')}"
                if status in (200, 201):  # an answer, but not about this report: it acknowledges nothing
                    self.misattributed.append(f"{report_id} answered {status} for {answered_for}")
                if status < 500:  # the request itself is wrong: sending it again changes nothing
                    self.errors.append(failure)
                    return report_id
            except (
                OSError,
                asyncio.IncompleteReadError,
                ServerClosed,
                TimeoutError,
                ValueError,
                IndexError,
            ) as error:
                failure = repr(error)
            if time.monotonic() > deadline:
                self.errors.append(f"gave up: {failure}")
                return report_id
            self.retries += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    async def close(self) -> None:
        for replica in self._replicas:
            await replica.close()


def _report_id_of(body: bytes) -> str | None:
    try:
        return json.loads(body).get("report_id")
    except (ValueError, AttributeError):
        return None


class PatientOutboxFeeder(OutboxFeeder):
    def __init__(self, *args, give_up_seconds: float = 120, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.give_up_seconds = give_up_seconds
        self.retries = 0
        self.report_ids: list[str] = []

    async def submit(self, spots: list[Spot]) -> list[str]:
        assert self._pool is not None
        if len(spots) != 1:
            raise ValueError("one report a transaction: a retry must know whether its one event committed")
        data = self._event(spots[0])
        report_id = str(data.report_id)
        self.report_ids.append(report_id)
        envelope = new_envelope(data, source=PATROL_SOURCE)
        deadline = time.monotonic() + self.give_up_seconds
        pause = FIRST_PAUSE
        while True:
            try:
                async with asyncio.timeout(15):
                    async with self._pool.acquire() as conn, conn.transaction():
                        await append(conn, envelope, data)
                break
            except asyncpg.UniqueViolationError:
                break  # an earlier try committed and its answer was lost
            except (
                OSError,
                asyncpg.PostgresError,
                asyncpg.InterfaceError,
                asyncpg.exceptions.InternalClientError,  # a connection the server dropped mid-statement
                TimeoutError,
            ) as error:
                if time.monotonic() > deadline:
                    self.errors.append(f"gave up: {error!r}")
                    return [report_id]
            self.retries += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
        self._tracker.committed[report_id] = time.perf_counter()
        return [report_id]
