"""`python -m chaos`: the hazard pipeline on servers of its own, fed at a steady rate while faults are injected,
then checked: every acknowledged report exists once, with one case, one `dispatch.assigned` and one delivered
notice; no dead letter; every part back without a person.

Writes `<label>.json`, `<label>.md` and `<label>.png` under `var/chaos/` (and the services' logs under
`var/chaos/logs/<label>/`), prints the Markdown, and exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.__main__ import machine
from bench.environment import AUTH_SECRET, PIPELINE, REPOSITORY, installation
from bench.feed import Spots, offer
from bench.observe import Tracker, webhook_sink
from chaos.checker import dead_letters, judge, read_evidence, violations
from chaos.faults import FAULT_KINDS, run_schedule, schedule
from chaos.fleet import Fleet
from chaos.load import PatientHttpFeeder, PatientOutboxFeeder
from chaos.report import markdown, plot, recovery, write_json
from chaos.servers import pgbouncer, private_servers, why_not_available
from shared.reference import ReferenceBundle
from tests.support.processes import free_port

OUTPUT = REPOSITORY / "var" / "chaos"
QUICK = {"reports": 2000, "rate": 20.0, "rounds": 1}
FULL = {"reports": 15000, "rate": 50.0, "rounds": 2}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 reports at 20/s, every fault once")
    parser.add_argument("--reports", type=int, help="reports offered in all (full run: 15,000)")
    parser.add_argument("--rate", type=float, help="reports offered a second, both feeds together (full: 50)")
    parser.add_argument("--rounds", type=int, help="times the whole list of faults is injected (full: 2)")
    parser.add_argument("--http-share", type=float, default=0.6, help="share of reports sent through HTTP")
    parser.add_argument(
        "--replicas", type=int, default=1, help="processes of each service (a fault kills one)"
    )
    parser.add_argument(
        "--cluster", action="store_true", help="three clustered RabbitMQ nodes instead of one"
    )
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="the services reach PostgreSQL through PgBouncer: transaction mode, LISTEN in session mode",
    )
    parser.add_argument(
        "--faults",
        default=",".join(FAULT_KINDS),
        help=f"the kinds of fault to inject, comma-separated (all: {','.join(FAULT_KINDS)})",
    )
    parser.add_argument("--drain-timeout", type=float, default=240.0, help="longest wait for quiescence, s")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--log-level", default="WARNING", help="the services' LOG_LEVEL (INFO: access lines)")
    args = parser.parse_args(argv)
    if unknown := set(args.faults.split(",")) - set(FAULT_KINDS):
        parser.error(f"unknown kinds of fault: {', '.join(sorted(unknown))}")
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def label(args: argparse.Namespace) -> str:
    return (
        f"{'quick' if args.quick else 'full'}-{'cluster' if args.cluster else 'single'}"
        f"-{args.replicas}-replica{'s' if args.replicas > 1 else ''}{'-pgbouncer' if args.pgbouncer else ''}"
    )


class Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def log(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f} s] {text}", file=sys.stderr, flush=True)


async def run(args: argparse.Namespace, clock: Clock) -> dict:
    tracker = Tracker()
    sink_port = free_port()
    clock.log("starting PostgreSQL and RabbitMQ of the run's own ...")
    async with (
        private_servers(cluster=args.cluster) as servers,
        webhook_sink(tracker, sink_port),
        installation(
            f"http://127.0.0.1:{sink_port}/hook",
            admin_url=servers.postgres.admin_url,
            rabbitmq_url=servers.rabbitmq_url,
        ) as install,
    ):
        async with contextlib.AsyncExitStack() as stack:
            environment: dict[str, dict[str, str]] = {}
            if args.pgbouncer:
                bouncer = await stack.enter_async_context(
                    pgbouncer(servers.postgres, install.database, PIPELINE)
                )
                environment = {
                    service: {
                        "DATABASE_URL": bouncer.url(service, session=False),
                        "LISTEN_DATABASE_URL": bouncer.url(service, session=True),
                        "DATABASE_STATEMENT_CACHE_SIZE": "0",
                    }
                    for service in PIPELINE
                }
            return await _with_fleet(args, clock, servers, install, tracker, environment)


async def _with_fleet(args, clock: Clock, servers, install, tracker: Tracker, environment) -> dict:
    fleet = Fleet(install, PIPELINE, args.replicas, log_level=args.log_level, environment=environment)
    try:
        clock.log(f"starting {len(fleet.all())} service processes ...")
        await fleet.start_all()
        return await _under_faults(args, clock, servers, install, fleet, tracker)
    finally:
        fleet.stop_all()
        logs = args.output / "logs" / label(args)
        shutil.rmtree(logs, ignore_errors=True)
        shutil.copytree(install.workdir, logs, ignore=shutil.ignore_patterns("bundle", "photos"))
        shutil.copy(servers.postgres.folder / "server.log", logs / "postgresql.log")


async def _under_faults(args, clock: Clock, servers, install, fleet: Fleet, tracker: Tracker) -> dict:
    bundle = ReferenceBundle.load(install.bundle)
    spots = Spots(bundle)
    http = PatientHttpFeeder(fleet.base_urls("patrol"), AUTH_SECRET, tracker)
    outbox = PatientOutboxFeeder(install.database_url("patrol"), bundle, tracker)
    await outbox.open()
    n_http = round(args.reports * args.http_share)
    kinds = set(args.faults.split(","))
    faults = [
        fault
        for fault in schedule(
            PIPELINE, replicas=args.replicas, nodes=len(servers.brokers), rounds=args.rounds
        )
        if fault.kind in kinds
    ]
    feed_seconds = args.reports / args.rate
    first_at, every = feed_seconds * 0.08, feed_seconds * 0.84 / max(len(faults), 1)
    clock.log(
        f"offering {args.reports} reports at {args.rate}/s over {feed_seconds:.0f} s, {len(faults)} faults"
    )
    origin = time.perf_counter()
    try:
        _, injected = await asyncio.gather(
            asyncio.gather(
                offer(http, [spots.next() for _ in range(n_http)], rate=args.rate * args.http_share),
                offer(
                    outbox,
                    [spots.next() for _ in range(args.reports - n_http)],
                    rate=args.rate * (1 - args.http_share),
                ),
            ),
            run_schedule(faults, servers, fleet, first_at=first_at, every=every, log=clock.log),
        )
    finally:
        await http.close()
        await outbox.close()
    fed_seconds = time.perf_counter() - origin
    acknowledged = {r: "http" for r in http.report_ids if r in tracker.committed}
    acknowledged |= {r: "outbox" for r in outbox.report_ids if r in tracker.committed}
    offered = [*http.report_ids, *outbox.report_ids]
    clock.log(f"load over: {len(acknowledged)} of {len(offered)} acknowledged; waiting for quiescence ...")
    database_url = install.admin_database_url
    deadline = time.monotonic() + args.drain_timeout
    while True:
        evidence = await read_evidence(database_url, PIPELINE)
        verdict = judge(evidence, acknowledged, offered, tracker)
        settled = not any(verdict["lost"].values()) and not any(evidence.unpublished.values())
        if (settled and not evidence.pending_notices) or time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    quiescent_after = time.perf_counter() - origin - fed_seconds
    await asyncio.sleep(3)  # anything still in flight (a redelivered copy, a late duplicate) shows up now
    evidence = await read_evidence(database_url, PIPELINE)
    verdict = judge(evidence, acknowledged, offered, tracker)
    for example in verdict["not_exactly_once_examples"]:
        example["acked_s"] = round(tracker.committed[example["report_id"]] - origin, 2)
        example["answer"] = http.answers.get(example["report_id"])
    dead = await dead_letters(servers.rabbitmq_url, install.topology, PIPELINE)
    readiness = await fleet.readiness()
    replicas_of_queues = await _queue_replicas(servers, install.topology.namespace)
    found = violations(verdict, dead, readiness)
    clock.log(f"quiescent {quiescent_after:.1f} s after the load; violations: {found or 'none'}")
    return {
        "label": label(args),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "reports": args.reports,
            "rate": args.rate,
            "http_share": args.http_share,
            "replicas": args.replicas,
            "cluster": args.cluster,
            "pgbouncer": args.pgbouncer,
            "rounds": args.rounds,
        },
        "brokers": [broker.node for broker in servers.brokers],
        "feed": {
            "seconds": round(fed_seconds, 1),
            "http_retries": http.retries,
            "outbox_retries": outbox.retries,
            "errors": (http.errors + outbox.errors)[:10],
            "answers_about_another_report": http.misattributed[:10],
            "answers_about_another_report_count": len(http.misattributed),
        },
        "quiescent_after_load_s": round(quiescent_after, 1),
        "verdict": verdict,
        "dead_letters": dead,
        "readiness": readiness,
        "restarts": {replica.name: replica.starts - 1 for replica in fleet.all()},
        "quorum_queue_replicas": replicas_of_queues,
        "faults": recovery(injected, evidence, tracker, origin),
        "recovered": all(status == 200 for status in readiness.values())
        and not any(verdict["lost"].values()),
        "violations": found,
        "ok": not found,
        "_plot": (tracker, origin),
    }


async def _queue_replicas(servers, namespace: str) -> dict[str, object]:
    """How many nodes hold a replica of the run's quorum queues (fewest and most)."""
    try:
        members = await servers.brokers[0].queue_members()
    except RuntimeError as error:
        return {"error": str(error)[:300]}
    ours = [count for name, count in members.items() if name.startswith(namespace)]
    return {"queues": len(ours), "fewest": min(ours, default=0), "most": max(ours, default=0)}


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    reason = why_not_available()
    if reason:
        print(f"cannot run servers of the run's own: {reason}", file=sys.stderr)
        return 2
    clock = Clock()
    # the feeder's pool logs each failed reconnection with a traceback while the database is down on purpose
    logging.getLogger("asyncpg").setLevel(logging.CRITICAL)
    # asyncio's own loop: uvloop's child processes inherit its pipes, and a server that pg_ctl starts in the
    # background would keep pg_ctl's output open forever
    results = asyncio.run(run(args, clock))
    results["wall_seconds"] = round(time.perf_counter() - clock.started, 1)
    tracker, origin = results.pop("_plot")
    stem = args.output / results["label"]
    write_json(results, stem.with_suffix(".json"))
    plot(results, tracker, origin, stem.with_suffix(".png"))
    table = markdown(results)
    stem.with_suffix(".md").write_text(table + "\n")
    print(table)
    print(f"\nresults: {stem}.json, .md, .png")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
