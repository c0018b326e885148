"""A district's history, loaded into an installation's databases in bulk: reports and their cases over a year and
more, their timelines and audit, notify's deliveries, the backbone's outbox and inbox rows, watchers and ten years
of duty shifts.

    python -m bench.history --reports 100000              # load, measure the everyday reads, drop it all
    python -m bench.history --reports 100000 --no-retention

Everything is generated inside PostgreSQL (`INSERT … SELECT … FROM generate_series`, bench/history_sql.py) from a
few thousand places made here: a point in a grid cell of the reference bundle, a hazard category, and the unit
dispatch's own routing sends it to. The services must have started once on the installation (they load the
bundle's units and categories); their data is left as they would have made it, so they work on top of it as usual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import uvloop

from bench import history_sql
from bench.feed import Spots
from services.dispatch.domain.policy import Policy
from services.dispatch.domain.routing import route
from services.dispatch.handlers.routing_cache import read_reference
from shared.reference import ReferenceBundle

PLACES = 4000
WATCHERS_CAP = 100_000
SHIFT_DAYS = 3652  # ten years
CASE_PREFIX = "DD"
OPEN311_KEY = "k-history"

# Row counts reported after a load, per schema.
COUNTED = {
    "patrol": ("reports", "report_photos", "report_history", "case_reports", "case_history", "watchers", "shifts",
               "open311_requests", "outbox", "inbox"),
    "dispatch": ("cases", "reports", "case_transitions", "escalations", "withdrawals", "outbox", "inbox"),
    "notify": ("recipients", "deliveries", "delivery_attempts", "outbox", "inbox"),
}  # fmt: skip


@dataclass(frozen=True)
class HistoryPlan:
    """How much history: `reports` reports (and as many cases), watchers and shifts scaled from it.

    `retention_days`: the outbox and inbox as the services' retention leaves them (rows of the last days only);
    None: as they would be with no retention at all (every row since the first report).
    """

    reports: int
    retention_days: float | None = 7.0
    span: timedelta = timedelta(days=400)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def watchers(self) -> int:
        return min(WATCHERS_CAP, self.reports // 10) or (1 if self.reports else 0)

    @property
    def shifts_per_day(self) -> int:
        return 0 if not self.watchers else max(1, min(290, self.reports // 10_000))

    @property
    def keep_since(self) -> datetime:
        if self.retention_days is None:
            return datetime(1970, 1, 1, tzinfo=UTC)
        return self.now - timedelta(days=self.retention_days)


async def places(conn: asyncpg.Connection, bundle: ReferenceBundle, count: int = PLACES) -> list[tuple]:
    """Points of the district with a category each, located in their grid and routed as dispatch routes them."""
    await conn.execute("SET search_path = dispatch")
    try:
        reference = await read_reference(conn)
    finally:
        await conn.execute("RESET search_path")
    if not reference.units:
        raise RuntimeError("dispatch has no units: start the services once on this installation first")
    severities = {category.code: category.default_severity for category in bundle.categories}
    policy = Policy()
    spots, rows = Spots(bundle, seed=19), []
    while len(rows) < count:
        spot = spots.next()
        place = bundle.locate(spot.lat, spot.lon)
        office = reference.street_office(place.street_code) if place else None
        if place is None or office is None:
            continue
        routed = route(
            spot.category,
            place.community_code,
            place.street_code,
            reference.rules,
            reference.units_near(place.community_code),
        )
        if routed is None:
            continue
        severity = severities[spot.category]
        rows.append(
            (len(rows) + 1, spot.category, severity, policy.time_allowed(severity, spot.category), spot.lat,
             spot.lon, place.community_code, place.street_code, place.grid_code, routed.unit_id, routed.reason,
             office)
        )  # fmt: skip
    return rows


async def load_history(admin_database_url: str, bundle: ReferenceBundle, plan: HistoryPlan) -> dict:
    """Fill the installation's schemas; returns the seconds each step took and the rows each table holds."""
    conn = await asyncpg.connect(admin_database_url)
    seconds: dict[str, float] = {}
    try:
        started = time.perf_counter()
        # Foreign keys hold by construction (the invariants test checks them); without the triggers that check
        # them row by row, and the per-statement NOTIFY of outbox and deliveries, a load takes a fraction.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET work_mem = '128MB'")
        await conn.execute("SET jit = off")  # compiling these statements took longer than running them
        await conn.execute(history_sql.UNIFORM)
        await conn.execute(history_sql.TEMPORARY_TABLES)
        spots = await places(conn, bundle)
        await conn.copy_records_to_table("history_spots", records=spots)
        communities = sorted({(spot[6], spot[7]) for spot in spots})
        await conn.copy_records_to_table(
            "history_communities", records=[(n, *pair) for n, pair in enumerate(communities, 1)]
        )
        await conn.execute(
            "INSERT INTO history_plan VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            plan.now,
            plan.reports,
            plan.span,
            plan.watchers,
            plan.shifts_per_day,
            SHIFT_DAYS,
            plan.keep_since,
            CASE_PREFIX,
            OPEN311_KEY,
        )
        seconds["places"] = round(time.perf_counter() - started, 2)
        for name, statement in history_sql.STEPS:
            step = time.perf_counter()
            await conn.execute(statement)
            seconds[name] = round(time.perf_counter() - step, 2)
        step = time.perf_counter()
        await conn.execute("RESET session_replication_role")
        await conn.execute(
            "VACUUM (ANALYZE)"
        )  # as autovacuum leaves a year-old database: statistics, visibility
        seconds["vacuum analyze"] = round(time.perf_counter() - step, 2)
        seconds["total"] = round(time.perf_counter() - started, 2)
        rows = {
            f"{schema}.{table}": await conn.fetchval(f"SELECT count(*) FROM {schema}.{table}")
            for schema, tables in COUNTED.items()
            for table in tables
        }
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    finally:
        await conn.close()
    return {
        "reports": plan.reports,
        "retention_days": plan.retention_days,
        "now": plan.now.isoformat(timespec="seconds"),
        "seconds": seconds,
        "rows": rows,
        "database_size": size,
    }


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, required=True, help="reports (and cases) in the history")
    parser.add_argument(
        "--no-retention", action="store_true", help="every outbox and inbox row kept, as with no retention"
    )
    parser.add_argument("--calls", type=int, default=200, help="calls per read measured")
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON file (default bench/results/history-N.json)"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict:
    from bench.environment import installation, start_services
    from bench.reads import measure_reads

    plan = HistoryPlan(args.reports, retention_days=None if args.no_retention else 7.0)
    overrides = {service: {"RETENTION_DAYS": "36500"} for service in ("patrol", "dispatch", "notify")}
    async with installation("http://127.0.0.1:9/unused") as install:
        await start_services(install, overrides if args.no_retention else None)
        bundle = ReferenceBundle.load(install.bundle)
        print(f"loading a history of {plan.reports} reports ...", file=sys.stderr)
        loaded = await load_history(install.admin_database_url, bundle, plan)
        print(f"  loaded in {loaded['seconds']['total']} s, {loaded['database_size']}", file=sys.stderr)
        reads = await measure_reads(install, calls=args.calls)
    return {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "history": loaded, "reads": reads}


def main(argv: list[str] | None = None) -> int:
    import json

    args = arguments(argv)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        results = runner.run(run(args))
    output = args.output or Path(__file__).resolve().parent / "results" / f"history-{args.reports}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for name, figures in results["reads"].items():
        print(f"{name:32} p50 {figures['p50_ms']:8.2f} ms   p99 {figures['p99_ms']:8.2f} ms")
    print(f"results: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
