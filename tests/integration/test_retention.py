"""Retention: published outbox rows and inbox rows older than the window are deleted, in batches, once, by
replicas that do not wait for one another; unpublished and unroutable rows stay whatever their age."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from shared.db.pool import create_pool
from shared.outbox.retention import Purged, delete_one_batch, purge_expired
from tests.support import probes
from tests.support.db import count
from tests.support.waiting import eventually

OUTBOX, INBOX = "probe_producer.outbox", "probe_producer.inbox"
WINDOW_DAYS = 7.0


async def _outbox_rows(
    conn: asyncpg.Connection, n: int, *, age_days: float | None, unroutable: bool = False
) -> None:
    """`n` outbox rows published `age_days` ago (None: not published yet), created a day before that."""
    await conn.execute(
        f"""INSERT INTO {OUTBOX} (event_id, source, event_type, version, occurred_at, correlation_id, data,
                created_at, published_at, unroutable)
            SELECT gen_random_uuid(), '/tests', 'hazard.reported', 1, now(), gen_random_uuid(), '{{}}',
                   now() - make_interval(days => coalesce($2::float8, 0)::int + 1),
                   now() - $2::float8 * interval '1 day', $3
            FROM generate_series(1, $1)""",
        n,
        age_days,
        unroutable,
    )


async def _inbox_rows(conn: asyncpg.Connection, n: int, *, age_days: float) -> None:
    await conn.execute(
        f"""INSERT INTO {INBOX} (source, event_id, event_type, correlation_id, handled_at)
            SELECT '/tests', gen_random_uuid(), 'hazard.reported', gen_random_uuid(), now() - $2::float8 * interval '1 day'
            FROM generate_series(1, $1)""",
        n,
        age_days,
    )


@pytest.fixture
async def pools(infra):
    opened = [await create_pool(infra.database_url("probe_producer"), "probe_producer") for _ in range(2)]
    yield opened
    for pool in opened:
        await pool.close()


async def test_only_published_routed_outbox_rows_and_inbox_rows_older_than_the_window_are_deleted(
    infra, pools, admin_db
):
    await _outbox_rows(admin_db, 2500, age_days=8)  # published, older than the window: go
    await _outbox_rows(admin_db, 10, age_days=6)  # published within the window: stay
    await _outbox_rows(admin_db, 10, age_days=None)  # created long ago, never published: stay
    await _outbox_rows(admin_db, 10, age_days=30, unroutable=True)  # for an operator to see: stay
    await _inbox_rows(admin_db, 1200, age_days=8)
    await _inbox_rows(admin_db, 10, age_days=6.9)

    purged = await purge_expired(pools[0], WINDOW_DAYS)

    assert (purged.outbox, purged.inbox) == (2500, 1200)
    assert await count(admin_db, OUTBOX) == 30
    assert await count(admin_db, OUTBOX, "published_at IS NULL") == 10
    assert await count(admin_db, OUTBOX, "unroutable") == 10
    assert await count(admin_db, OUTBOX, "published_at > now() - interval '7 days'") == 10
    assert await count(admin_db, INBOX) == 10
    assert await purge_expired(pools[0], WINDOW_DAYS) == Purged(outbox=0, inbox=0)


async def test_two_replicas_purging_at_once_delete_each_row_once_and_do_not_wait_for_each_other(
    infra, pools, admin_db
):
    await _outbox_rows(admin_db, 2500, age_days=8)
    first, second = pools
    async with first.acquire() as holder, holder.transaction():
        # One replica has deleted a batch and not committed yet: the other must go past those rows, not wait.
        held = await delete_one_batch(holder, "outbox", WINDOW_DAYS * 86400, 1000)
        other = await asyncio.wait_for(purge_expired(second, WINDOW_DAYS), timeout=5)
    assert (held, other.outbox) == (1000, 1500)
    assert await count(admin_db, OUTBOX) == 0

    await _outbox_rows(admin_db, 6000, age_days=8)
    await _inbox_rows(admin_db, 3000, age_days=8)
    both = await asyncio.wait_for(
        asyncio.gather(purge_expired(first, WINDOW_DAYS), purge_expired(second, WINDOW_DAYS)), timeout=30
    )
    assert sum(p.outbox for p in both) == 6000 and sum(p.inbox for p in both) == 3000, "each row deleted once"
    assert await count(admin_db, OUTBOX) == 0 and await count(admin_db, INBOX) == 0


async def test_every_service_deletes_expired_rows_in_the_background(infra, topology, run_service, admin_db):
    await _outbox_rows(admin_db, 5, age_days=2)
    await _outbox_rows(admin_db, 5, age_days=0.1)
    await _inbox_rows(admin_db, 5, age_days=2)

    async def expired_gone() -> bool:
        return await count(admin_db, OUTBOX) == 5 and await count(admin_db, INBOX) == 0

    async with run_service(probes.PRODUCER, retention_days=1.0):
        await eventually(expired_gone, what="the service's retention task to delete what expired")
    assert await count(admin_db, OUTBOX, "published_at < now() - interval '1 day'") == 0
