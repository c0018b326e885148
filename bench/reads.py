"""The reads people make every day, timed through the services' HTTP APIs with real tokens (and dispatch's merge
lookup, timed as dispatch runs it at intake): p50 and p99 over a number of calls each, one call at a time.

The places read are the same whatever the history: the busiest unit and community of the history's places.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import asyncpg
import httpx

from bench.environment import AUTH_SECRET, Installation
from bench.history import places
from services.dispatch.domain.policy import Policy
from services.dispatch.handlers.intake import _merge_candidate
from shared.auth import issue_token
from shared.reference import ReferenceBundle

WATCHER = "w-0001"
WARM_UP = 10


@dataclass(frozen=True)
class Read:
    name: str
    service: str
    path: str
    token: str | None
    params: dict[str, str] = field(default_factory=dict)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def everyday_reads(unit_id: str, community_code: str, now: datetime) -> list[Read]:
    dispatcher = issue_token(AUTH_SECRET, "d-0001", ["dispatcher"])
    handler = issue_token(AUTH_SECRET, "h-0001", ["handler"], unit_ids=[unit_id])
    watcher = issue_token(AUTH_SECRET, WATCHER, ["watcher"], community_code=community_code)
    worker = issue_token(AUTH_SECRET, "c-0001", ["community_worker"], community_code=community_code)
    quarter = {"opened_from": _rfc3339(now - timedelta(days=91)), "opened_before": _rfc3339(now)}
    return [
        Read("board: overdue", "dispatch", "/cases", dispatcher, {"overdue": "true"}),
        Read(
            "board: status and community",
            "dispatch",
            "/cases",
            dispatcher,
            {"status": "assigned", "community_code": community_code},
        ),
        Read(
            "board: category prefix, open",
            "dispatch",
            "/cases",
            dispatcher,
            {"category": "fire.*", "status": "in_progress"},
        ),  # fmt: skip
        Read("unit inbox (dispatch)", "dispatch", f"/units/{unit_id}/cases", handler),
        Read("unit notifications (notify)", "notify", f"/units/{unit_id}/notifications", handler),
        Read("watcher's reports", "patrol", "/me/reports", watcher),
        Read(
            "statistics: a quarter by community",
            "dispatch",
            "/statistics",
            dispatcher,
            {"by": "community", **quarter},
        ),  # fmt: skip
        Read(
            "visit coverage: this quarter",
            "patrol",
            "/statistics/visits",
            worker,
            {"community_code": community_code},
        ),  # fmt: skip
        Read(
            "open311 search: 90 days",
            "patrol",
            "/open311/v2/requests.json",
            None,
            {"start_date": _rfc3339(now - timedelta(days=90)), "end_date": _rfc3339(now)},
        ),  # fmt: skip
    ]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "calls": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def _timed(call: Callable[[], Awaitable[object]], calls: int) -> list[float]:
    for _ in range(WARM_UP):
        await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def _http(install: Installation, read: Read, calls: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {read.token}"} if read.token else {}
    async with httpx.AsyncClient(
        base_url=install.base_url(read.service), headers=headers, timeout=60
    ) as client:
        sizes: list[int] = []

        async def call() -> None:
            response = await client.get(read.path, params=read.params)
            if response.status_code != 200:
                raise RuntimeError(f"{read.name}: {response.status_code} {response.text[:300]}")
            sizes.append(len(response.content))

        figures = percentiles(await _timed(call, calls))
    return {**figures, "response_bytes": sizes[-1]}


async def _merge_lookup(install: Installation, spots: list[tuple], calls: int) -> dict[str, float]:
    """The statement dispatch runs at intake for each report with a place, at places of the history."""
    context = SimpleNamespace(policy=Policy())
    conn = await asyncpg.connect(install.database_url("dispatch"))
    try:
        turn = iter(range(10**9))

        async def call() -> None:
            spot = spots[next(turn) * 7 % len(spots)]
            report = SimpleNamespace(
                category=spot[1],
                location=SimpleNamespace(lat=spot[4], lon=spot[5]),
                reported_at=datetime.now(UTC),
            )
            await _merge_candidate(conn, report, context)

        return percentiles(await _timed(call, calls))
    finally:
        await conn.close()


async def measure_reads(install: Installation, calls: int = 200) -> dict[str, dict[str, float]]:
    conn = await asyncpg.connect(install.admin_database_url)
    try:
        spots = await places(conn, ReferenceBundle.load(install.bundle))
    finally:
        await conn.close()
    unit_id = Counter(spot[9] for spot in spots).most_common(1)[0][0]
    community_code = Counter(spot[6] for spot in spots).most_common(1)[0][0]
    results: dict[str, dict[str, float]] = {}
    for read in everyday_reads(unit_id, community_code, datetime.now(UTC)):
        results[read.name] = await _http(install, read, calls)
    results["merge lookup (intake)"] = await _merge_lookup(install, spots, calls)
    return results
