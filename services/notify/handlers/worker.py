"""The delivery worker: claims due deliveries, sends them, records each attempt, retries what may succeed later.

No transaction stays open during a network call: a claim marks deliveries in flight with a lease and commits;
the channels are called; the outcomes are recorded, each with its `notification.*` event, in one transaction
(one each if that fails). New deliveries wake the worker at their commit (LISTEN); polling is the fallback.
A worker that dies mid-send leaves a lease that expires, and the delivery is tried again (at least once to the
channel; webhooks carry the delivery id so receivers can drop a repeat). Several workers may run at once
(`FOR UPDATE SKIP LOCKED`). Times come from the injectable clock, so tests move them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg
from prometheus_client import Counter

from services.notify.adapters.channels.port import OutgoingMessage, SendResult
from services.notify.domain.schedule import parse_quiet_hours, quiet_until
from services.notify.handlers.outcomes import Claimed, record_outcomes
from shared.logging import get_logger
from shared.observability.metrics import ServiceMetrics
from shared.runtime.listen_loop import ListenLoop

log = get_logger(__name__)

WAKE_CHANNEL = "notify.deliveries"  # pg_notify from the deliveries trigger: <schema>.deliveries

_CLAIM = """
WITH due AS (
    SELECT delivery_id FROM deliveries
    WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'in_flight' AND lease_until <= $1)
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
SELECT d.*, r.quiet_start, r.quiet_end, coalesce(r.active, false) AS recipient_active, c.address
FROM deliveries d
JOIN due USING (delivery_id)
LEFT JOIN recipients r ON r.recipient_id = d.recipient_id
LEFT JOIN contact_points c ON c.recipient_id = d.recipient_id AND c.channel = d.channel
"""

# The claimed deliveries in flight under a lease, each with its attempt opened: one statement for the pass.
_IN_FLIGHT = """
WITH claimed AS (
    SELECT * FROM unnest($1::uuid[], $2::int[]) AS c(delivery_id, attempt)
), in_flight AS (
    UPDATE deliveries d SET status = 'in_flight', attempts = c.attempt, lease_until = $3
    FROM claimed c WHERE d.delivery_id = c.delivery_id
)
INSERT INTO delivery_attempts (delivery_id, attempt, started_at) SELECT delivery_id, attempt, $4 FROM claimed
"""


def _claimed(row: asyncpg.Record) -> Claimed:
    return Claimed(
        message=OutgoingMessage(
            delivery_id=row["delivery_id"],
            recipient_id=row["recipient_id"],
            address=row["address"] or "",
            text=row["body"],
            language=row["language"],
            event_type=row["cause_event_type"],
            event_id=row["cause_event_id"],
            purpose=row["purpose"],
            urgent=row["urgent"],
        ),
        attempt=row["attempts"] + 1,
        channel=row["channel"],
        cause_event_type=row["cause_event_type"],
        correlation_id=row["correlation_id"],
    )


class DeliveryWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        context,
        source: str,
        *,
        deliveries: Counter | None = None,
        listen_pool: asyncpg.Pool | None = None,
    ) -> None:
        self._pool = pool
        self._deliveries = deliveries or ServiceMetrics().notify_deliveries
        self._context = context
        self._settings = context.settings
        self._source = source
        self._loop = ListenLoop(
            listen_pool or pool,
            WAKE_CHANNEL,
            what="delivery worker pass",
            backoff_max_seconds=self._settings.worker_poll_seconds * 10,
        )

    async def run(self) -> None:
        """Pass after pass while there is work; then sleep until deliveries are committed (NOTIFY from the
        deliveries trigger) or the poll interval ends (what falls due later, and the fallback). A failed pass
        (the database away for a moment) is retried after a back-off; the listener is taken again when lost."""
        log.info("delivery worker started")
        try:
            await self._loop.run(self._pass)
        finally:
            log.info("delivery worker stopped")

    async def _pass(self) -> float:
        handled = await self.run_once()
        return 0 if handled else self._settings.worker_poll_seconds

    def stop(self) -> None:
        self._loop.stop()

    def wake(self) -> None:
        self._loop.wake()

    async def run_once(self) -> int:
        """One pass: claim what is due, send it, record the outcomes. Returns how many were sent (or tried)."""
        claimed = await self._claim()
        if claimed:
            results = await asyncio.gather(*(self._send_logged(item) for item in claimed))
            await self._record(list(zip(claimed, results, strict=True)))
        return len(claimed)

    async def _claim(self) -> list[Claimed]:
        now = self._context.clock.now()
        async with self._pool.acquire() as conn, conn.transaction():
            due = await conn.fetch(_CLAIM, now, self._settings.worker_batch_size)
            sendable = [row for row in due if await self._may_send_now(conn, row, now)]
            claimed = [_claimed(row) for row in await self._within_rate_limits(conn, sendable, now)]
            if claimed:
                await conn.execute(
                    _IN_FLIGHT,
                    [item.message.delivery_id for item in claimed],
                    [item.attempt for item in claimed],
                    now + timedelta(seconds=self._settings.lease_seconds),
                    now,
                )
        return claimed

    async def _may_send_now(self, conn: asyncpg.Connection, row: asyncpg.Record, now: datetime) -> bool:
        """False for a delivery that is not to be sent now: cancelled, or put back until its quiet hours end."""
        delivery_id = row["delivery_id"]
        if row["status"] == "in_flight":  # its worker died or hung: that attempt is over
            await conn.execute(
                """UPDATE delivery_attempts SET outcome = 'lease_expired', finished_at = $2
                   WHERE delivery_id = $1 AND outcome IS NULL""",
                delivery_id,
                now,
            )
        if not row["recipient_active"]:
            await conn.execute(
                """UPDATE deliveries SET status = 'cancelled', finished_at = $2, lease_until = NULL,
                   last_error = 'recipient no longer active' WHERE delivery_id = $1""",
                delivery_id,
                now,
            )
            return False
        later = self._quiet_until(row, now)
        if later is not None and row["not_after"] is not None and later >= row["not_after"]:
            await conn.execute(  # a reminder put back past what it reminds of would arrive too late
                """UPDATE deliveries SET status = 'cancelled', finished_at = $2, lease_until = NULL,
                   last_error = 'quiet hours last until after the start it reminds of' WHERE delivery_id = $1""",
                delivery_id,
                now,
            )
            return False
        if later is not None:
            await _put_back(conn, [delivery_id], later)
            return False
        return True

    async def _within_rate_limits(
        self, conn: asyncpg.Connection, rows: list[asyncpg.Record], now: datetime
    ) -> list[asyncpg.Record]:
        """The rows the channels' allowances take, in order; the others are put back until the next window."""
        wanted: dict[str, int] = {}
        for row in rows:
            wanted[row["channel"]] = wanted.get(row["channel"], 0) + 1
        granted = {}
        next_window: dict[str, datetime] = {}
        for channel, count in wanted.items():
            granted[channel], next_window[channel] = await self._take_allowance(conn, channel, count, now)
        allowed, refused = [], []
        for row in rows:
            if granted[row["channel"]] > 0:
                granted[row["channel"]] -= 1
                allowed.append(row)
            else:
                refused.append(row)
        for channel in {row["channel"] for row in refused}:
            ids = [row["delivery_id"] for row in refused if row["channel"] == channel]
            await _put_back(conn, ids, next_window[channel])
        return allowed

    async def _take_allowance(
        self, conn: asyncpg.Connection, channel: str, count: int, now: datetime
    ) -> tuple[int, datetime]:
        """Take up to `count` from the channel's allowance for the current window: how many it gave, and when
        the next window starts."""
        limit = self._settings.rate_limits.get(channel)
        window = self._settings.rate_window_seconds
        start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=now.tzinfo)
        if limit is None:
            return count, start + timedelta(seconds=window)
        taken = await conn.fetchval(
            """
            INSERT INTO channel_windows AS w (channel, window_start, sent, last_granted)
            VALUES ($1, $2, LEAST($3::int, $4::int), LEAST($3::int, $4::int))
            ON CONFLICT (channel, window_start) DO UPDATE
                SET last_granted = LEAST(w.sent + $3::int, $4::int) - w.sent, sent = LEAST(w.sent + $3::int, $4::int)
            RETURNING last_granted
            """,
            channel,
            start,
            count,
            limit,
        )
        return taken, start + timedelta(seconds=window)

    def _quiet_until(self, row: asyncpg.Record, now: datetime) -> datetime | None:
        if row["urgent"]:
            return None
        if row["quiet_start"] is not None and row["quiet_end"] is not None:
            return quiet_until(now, row["quiet_start"], row["quiet_end"])
        default = parse_quiet_hours(self._settings.quiet_hours_default)
        return quiet_until(now, *default) if default else None

    async def _send_logged(self, item: Claimed) -> SendResult:
        result = await self._send(item)
        self._deliveries.labels(item.channel, result.outcome).inc()
        log.info(
            "delivery attempt",
            delivery_id=str(item.message.delivery_id),
            recipient_id=item.message.recipient_id,
            channel=item.channel,
            attempt=item.attempt,
            outcome=result.outcome,
        )
        return result

    async def _record(self, outcomes: list[tuple[Claimed, SendResult]]) -> None:
        """The pass's outcomes in one transaction (a transaction per delivery was most of the worker's database
        round trips). If that fails, each is recorded on its own, so one bad outcome holds back no other; the
        first error is then raised. An outcome not recorded leaves its delivery in flight until the lease ends."""
        try:
            await self._record_together(outcomes)
            return
        except Exception:
            if len(outcomes) == 1:
                raise
        errors = []
        for outcome in outcomes:
            try:
                await self._record_together([outcome])
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]

    async def _record_together(self, outcomes: list[tuple[Claimed, SendResult]]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await record_outcomes(
                conn, outcomes, now=self._context.clock.now(), context=self._context, source=self._source
            )

    async def _send(self, item: Claimed) -> SendResult:
        adapter = self._context.channels.get(item.channel)
        if adapter is None:
            return SendResult.permanent(f"channel {item.channel!r} is not configured in this deployment")
        if not item.message.address:
            return SendResult.permanent(f"invalid address: the recipient has no {item.channel} address")
        try:
            return await asyncio.wait_for(
                adapter.send(item.message), timeout=self._settings.http_timeout_seconds * 2
            )
        except TimeoutError:
            return SendResult.transient("timeout")
        except Exception as error:  # an adapter bug must not lose the delivery: retry, and say why
            log.error("channel adapter raised", channel=item.channel, error=repr(error))
            return SendResult.transient(f"adapter error: {type(error).__name__}")


async def _put_back(conn: asyncpg.Connection, delivery_ids: list, until: datetime) -> None:
    await conn.execute(
        """UPDATE deliveries SET status = 'pending', next_attempt_at = $2, lease_until = NULL
           WHERE delivery_id = ANY($1::uuid[])""",
        delivery_ids,
        until,
    )
