"""Reports into the pipeline: through patrol's HTTP API, or written straight into patrol's outbox.

Each report is at its own spot of a random grid cell, in a random hazard category, so each opens its own case.
A report counts as committed when its transaction has committed: when patrol answered 201, or when the
outbox insert's COMMIT returned.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import asyncpg
from shapely.geometry import Point, shape

from bench.observe import Tracker
from shared.auth import issue_token
from shared.db.pool import create_pool
from shared.events.catalogue.common import Location, PersonRef
from shared.events.catalogue.hazard import HazardReported
from shared.events.envelope import new_envelope
from shared.outbox.writer import append
from shared.reference import ReferenceBundle

WATCHER = "bench-watcher-1"
PATROL_SOURCE = "/services/patrol"


@dataclass(frozen=True)
class Spot:
    category: str
    lat: float
    lon: float


class Spots:
    """Random points inside the district's grid cells, with a hazard category each."""

    def __init__(self, bundle: ReferenceBundle, seed: int = 8) -> None:
        self._random = random.Random(seed)
        self._bundle = bundle
        self._cells = [(grid, shape(grid.geometry)) for grid in bundle.grids]
        self._categories = [  # categories a report can be made in with no extra attributes
            c.code
            for c in bundle.categories
            if c.kind == "hazard" and not any(a.required for a in c.attributes)
        ]

    def next(self) -> Spot:
        grid, cell = self._random.choice(self._cells)
        min_lon, min_lat, max_lon, max_lat = cell.bounds
        while True:
            lon = self._random.uniform(min_lon, max_lon)
            lat = self._random.uniform(min_lat, max_lat)
            if cell.contains(Point(lon, lat)):
                return Spot(self._random.choice(self._categories), round(lat, 7), round(lon, 7))


class ServerClosed(Exception):
    """The server closed a kept-alive connection before answering."""


class HttpFeeder:
    """POST /reports (multipart) as a watcher, one request per report, on kept-alive connections.

    A bare HTTP/1.1 client on asyncio streams: the load generator shares the machine with the pipeline, and a
    full-featured client used more CPU per request than patrol's whole handling of it.
    """

    name = "http"

    def __init__(self, base_url: str, auth_secret: str, tracker: Tracker, concurrency: int = 32) -> None:
        self._tracker = tracker
        self._address = urlsplit(base_url)
        self._token = issue_token(auth_secret, WATCHER, ["watcher"], community_code="WG-TJ")
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.concurrency = concurrency
        self.errors: list[str] = []

    async def submit(self, spots: list[Spot]) -> list[str]:
        return list(await asyncio.gather(*(self._one(spot) for spot in spots)))

    async def _one(self, spot: Spot) -> str:
        report_id = str(uuid.uuid4())
        status, body = await self.attempt(report_id, spot)
        if status not in (200, 201):  # 200: the same report_id again, already made (a retried request)
            self.errors.append(f"{status}: {body[:200].decode(errors='replace')}")
            return report_id
        self._tracker.committed[report_id] = time.perf_counter()
        return report_id

    async def attempt(self, report_id: str, spot: Spot) -> tuple[int, bytes]:
        """One POST /reports of this report (a retry sends the same report_id)."""
        fields = {
            "report_id": report_id,
            "category": spot.category,
            "description": "benchmark: 楼道堆放杂物",
            "lat": str(spot.lat),
            "lon": str(spot.lon),
        }
        return await self._post("/reports", *multipart(fields))

    async def _post(self, path: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        if self._idle:
            try:
                return await self._exchange(*self._idle.pop(), path, content_type, body)
            except (ConnectionError, asyncio.IncompleteReadError, ServerClosed):
                pass  # the server closed it while idle (its keep-alive timeout): it never read this request
        connection = await asyncio.open_connection(self._address.hostname, self._address.port)
        return await self._exchange(*connection, path, content_type, body)

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        content_type: str,
        body: bytes,
    ) -> tuple[int, bytes]:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._address.netloc}\r\nAuthorization: Bearer {self._token}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        status_line = await reader.readline()
        if not status_line:
            writer.close()
            raise ServerClosed
        length, keep_alive, chunked = 0, True, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                keep_alive = False
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        # a body left unread would be taken for the answer to the next request on this connection
        answer = await read_chunked(reader) if chunked else await reader.readexactly(length)
        if keep_alive:
            self._idle.append((reader, writer))
        else:
            writer.close()
        return int(status_line.split()[1]), answer

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while size := int((await reader.readline()).split(b";")[0].strip() or b"0", 16):
        body += await reader.readexactly(size)
        await reader.readline()  # the CRLF after the chunk
    while (await reader.readline()) not in (b"\r\n", b""):  # trailers, then the blank line
        pass
    return body


def multipart(fields: dict[str, str]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return f"multipart/form-data; boundary={boundary}", ("".join(parts) + f"--{boundary}--\r\n").encode()


class OutboxFeeder:
    """`hazard.reported` rows inserted into patrol's outbox as patrol's role, as patrol's commands write them."""

    name = "outbox"

    def __init__(
        self, database_url: str, bundle: ReferenceBundle, tracker: Tracker, concurrency: int = 8
    ) -> None:
        self._database_url = database_url
        self._bundle = bundle
        self._tracker = tracker
        self._pool: asyncpg.Pool | None = None
        self.concurrency = concurrency
        self.errors: list[str] = []

    async def open(self) -> None:
        self._pool = await create_pool(self._database_url, "patrol", min_size=1, max_size=self.concurrency)

    async def submit(self, spots: list[Spot]) -> list[str]:
        """One transaction for all of `spots` (one spot: one report per transaction, as patrol does)."""
        assert self._pool is not None
        events = [self._event(spot) for spot in spots]
        async with self._pool.acquire() as conn, conn.transaction():
            for data in events:
                await append(conn, new_envelope(data, source=PATROL_SOURCE), data)
        at = time.perf_counter()
        for data in events:
            self._tracker.committed[str(data.report_id)] = at
        return [str(data.report_id) for data in events]

    def _event(self, spot: Spot) -> HazardReported:
        where = self._bundle.locate(spot.lat, spot.lon)
        assert where is not None
        return HazardReported(
            report_id=uuid.uuid4(),
            kind="hazard",
            category=spot.category,
            description="benchmark: 楼道堆放杂物",
            location=Location(lat=spot.lat, lon=spot.lon),
            community_code=where.community_code,
            street_code=where.street_code,
            grid_code=where.grid_code,
            severity="normal",
            reporter=PersonRef(kind="watcher", id=WATCHER),
            reported_at=datetime.now(UTC),
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


async def offer(feeder, spots: list[Spot], *, rate: float | None, batch: int = 1) -> tuple[list[str], float]:
    """Offer `spots` at `rate` reports a second (None: as fast as the feeder's concurrency allows).

    Returns the report ids and the rate actually offered (lower than asked when the entry point pushes back).
    """
    slots = asyncio.Semaphore(feeder.concurrency)
    report_ids: list[str] = []
    tasks: set[asyncio.Task] = set()
    started = time.perf_counter()

    async def submit(chunk: list[Spot]) -> None:
        try:
            report_ids.extend(await feeder.submit(chunk))
        except Exception as error:  # counted as lost by the correctness check
            feeder.errors.append(repr(error))
        finally:
            slots.release()

    chunks = [spots[i : i + batch] for i in range(0, len(spots), batch)]
    for n, chunk in enumerate(chunks):
        if rate is not None:
            delay = started + n * batch / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        await slots.acquire()
        task = asyncio.create_task(submit(chunk))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return report_ids, len(spots) / elapsed if elapsed > 0 else 0.0
