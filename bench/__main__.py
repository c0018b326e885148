"""`python -m bench`: the broker's ceiling, then the hazard pipeline at fixed offered rates and at saturation.

Everything runs against 127.0.0.1 in a fresh database and AMQP namespace, removed at the end. Writes
`bench/results/latest.json` and `bench/results/latency.png`, prints a Markdown table, and exits 1 when a report
was lost or handled twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import uvloop

from bench.ceiling import run_ceiling
from bench.environment import AUTH_SECRET, PIPELINE, free_port, installation, start_services
from bench.feed import HttpFeeder, OutboxFeeder, Spots
from bench.measure import CpuMeter, peak_rss_mb, pids_named, postgres_pids
from bench.observe import Tracker, assigned_observer, webhook_sink
from bench.pipeline import Phase, run_phase
from bench.report import markdown, plot, write_json
from shared.db.url import with_database
from shared.reference import ReferenceBundle
from shared.settings import LOCAL_ADMIN_DATABASE_URL

RESULTS = Path(__file__).resolve().parent / "results"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,200,500", help="offered rates, reports/s (comma-separated)")
    parser.add_argument("--seconds", type=float, default=4.0, help="how long each fixed rate is offered")
    parser.add_argument("--saturation-reports", type=int, default=2000, help="reports offered at saturation")
    parser.add_argument("--ceiling-messages", type=int, default=5000)
    parser.add_argument("--feeds", default="http,outbox", help="entry points: http, outbox or both")
    parser.add_argument(
        "--drain-timeout", type=float, default=120.0, help="longest wait for a phase to finish"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder for latest.json and latency.png")
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="SERVICE:NAME=VALUE",
        help="extra setting for one service process (e.g. notify:WORKER_BATCH_SIZE=50)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small counts, one low rate")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="N",
        help="load a history of N reports first (bench/history.py)",
    )
    parser.add_argument(
        "--no-retention", action="store_true", help="with --history: every outbox and inbox row kept"
    )
    parser.add_argument("--read-calls", type=int, default=200, help="with --history: calls per everyday read")
    args = parser.parse_args(argv)
    if args.quick:  # smaller counts, except where given on the command line
        quick = {"rates": "20", "seconds": 1.0, "saturation_reports": 30, "ceiling_messages": 300}
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args


def service_overrides(pairs: list[str]) -> dict[str, dict[str, str]]:
    overrides: dict[str, dict[str, str]] = {}
    for pair in pairs:
        service, setting = pair.split(":", 1)
        name, value = setting.split("=", 1)
        overrides.setdefault(service, {})[name] = value
    return overrides


def machine() -> dict[str, object]:
    def version(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "postgresql": version(
            ["psql", "--version"]
        ),  # the client; run() puts the server's in "postgresql_server"
        "rabbitmq": version(["rabbitmqctl", "--quiet", "version"]) or "unknown",
        "load_average_at_start": os.getloadavg(),
    }


def sample_body_size() -> int:
    """The size of a hazard.reported body like the benchmark's, so the ceiling moves messages of that size."""
    from bench.feed import OutboxFeeder as Feeder

    bundle = ReferenceBundle.load()
    feeder = Feeder("", bundle, Tracker())
    return len(feeder._event(Spots(bundle).next()).model_dump_json().encode())


async def run(args: argparse.Namespace) -> dict:
    rabbitmq_url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    body_size = sample_body_size()
    print(f"ceiling: {args.ceiling_messages} messages of {body_size} B ...", file=sys.stderr)
    broker_meter = CpuMeter({"broker": pids_named("beam.smp")})
    ceiling = await run_ceiling(rabbitmq_url, messages=args.ceiling_messages, body_size=body_size)
    ceiling_broker_seconds = broker_meter.used()["broker"]
    print(f"ceiling: {ceiling.throughput:.0f} msg/s", file=sys.stderr)

    tracker = Tracker()
    sink_port = free_port()
    rates = [float(rate) for rate in args.rates.split(",") if rate]
    feeds = [feed for feed in args.feeds.split(",") if feed]
    async with (
        webhook_sink(tracker, sink_port) as sink,
        installation(f"http://127.0.0.1:{sink_port}/hook") as install,
    ):
        await start_services(install, service_overrides(history_settings(args) + args.service_env))
        bundle = ReferenceBundle.load(install.bundle)
        history = await load_and_read(install, bundle, args) if args.history else None
        spots = Spots(bundle)
        pids = {service: install.processes[service].pid for service in PIPELINE}

        def groups() -> dict[str, list[int]]:
            return {
                **{service: [pid] for service, pid in pids.items()},
                "broker": pids_named("beam.smp"),
                "database": postgres_pids(install.database),
                "bench": [os.getpid()],
            }

        phases: list[dict] = []
        async with assigned_observer(install.rabbitmq_url, install.topology, tracker):
            http = HttpFeeder(install.base_url("patrol"), AUTH_SECRET, tracker)
            outbox = OutboxFeeder(install.database_url("patrol"), bundle, tracker)
            await outbox.open()
            feeders = {"http": http, "outbox": outbox}
            try:
                warm_up = await run_phase(
                    Phase(feeds[0], 20.0, 20), feeders[feeds[0]], spots, tracker, groups(), args.drain_timeout
                )
                whole = CpuMeter(groups())
                for feed in feeds:
                    plan = [Phase(feed, rate, max(1, int(rate * args.seconds))) for rate in rates]
                    plan.append(
                        Phase(feed, None, args.saturation_reports, batch=10 if feed == "outbox" else 1)
                    )
                    for phase in plan:
                        print(f"phase {phase.label}: {phase.reports} reports ...", file=sys.stderr)
                        result = await run_phase(
                            phase, feeders[feed], spots, tracker, groups(), args.drain_timeout
                        )
                        phases.append(result)
                        print(
                            f"  assigned {result['throughput_assigned']}/s, delivered {result['throughput_delivered']}/s,"
                            f" p99 → assigned {result['latency_to_assigned_ms']['p99']} ms,"
                            f" correct: {result['correctness']['ok']}",
                            file=sys.stderr,
                        )
                cpu = whole.used(groups())
                rss = {service: round(peak_rss_mb(pid), 1) for service, pid in pids.items()}
            finally:
                await http.close()
                await outbox.close()
        webhook_calls = sink.received

    # the maintenance database: the installation's own database is gone, and the admin URL's may not exist
    admin_url = os.environ.get("ADMIN_DATABASE_URL", LOCAL_ADMIN_DATABASE_URL)
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        server_version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    saturation = [p for p in phases if p["offered_rate"] is None]
    best = max(saturation, key=lambda p: p["throughput_delivered"]) if saturation else None
    pipeline_throughput = best["throughput_delivered"] if best else 0.0
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "postgresql_server": server_version},
        "settings": {key: str(value) for key, value in vars(args).items()},
        "ceiling": {
            **ceiling.as_dict(body_size),
            "broker_cpu_ms_per_message": round(ceiling_broker_seconds * 1000 / ceiling.messages, 3),
        },
        "broker_cpu_ms_per_report_at_saturation": broker_cost_per_report(saturation),
        "headline": {
            "pipeline_throughput": pipeline_throughput,
            "feed": best["feed"] if best else None,
            "ceiling_throughput": round(ceiling.throughput, 1),
            "ratio": round(pipeline_throughput / ceiling.throughput, 3) if ceiling.throughput else 0.0,
        },
        "warm_up": {"correct": warm_up["correctness"]["ok"]},
        "phases": phases,
        "resources": {"peak_rss_mb": rss, "cpu_seconds": cpu},
        "totals": {
            "reports_committed": len(tracker.committed),
            "assigned_events": len(tracker.reports_of_event),
            "webhook_calls": webhook_calls,
            "notification_events": dict(tracker.notification_events),
        },
        "correct": all(p["correctness"]["ok"] for p in phases) and warm_up["correctness"]["ok"],
        **({"history": history} if history else {}),
    }


def history_settings(args: argparse.Namespace) -> list[str]:
    """With no retention, the services keep what the history holds rather than purge it as they start."""
    if not (args.history and args.no_retention):
        return []
    return [f"{service}:RETENTION_DAYS=36500" for service in PIPELINE]


async def load_and_read(install, bundle: ReferenceBundle, args: argparse.Namespace) -> dict:
    from bench.history import HistoryPlan, load_history
    from bench.reads import measure_reads

    plan = HistoryPlan(args.history, retention_days=None if args.no_retention else 7.0)
    print(f"history: loading {plan.reports} reports ...", file=sys.stderr)
    loaded = await load_history(install.admin_database_url, bundle, plan)
    print(
        f"history: loaded in {loaded['seconds']['total']} s; timing the everyday reads ...", file=sys.stderr
    )
    return {**loaded, "reads": await measure_reads(install, calls=args.read_calls)}


def broker_cost_per_report(saturation: list[dict]) -> dict[str, float]:
    """The broker's CPU per report at saturation, per feed: the pipeline's messaging work beside the ceiling's."""
    return {
        phase["feed"]: round(phase["cpu_seconds"]["broker"] * 1000 / phase["reports"], 3)
        for phase in saturation
        if phase["reports"]
    }


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    started = time.perf_counter()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # as the services run (under uvicorn)
        results = runner.run(run(args))
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    write_json(results, args.output / "latest.json")
    plot(results, args.output / "latency.png")
    print(markdown(results))
    print(f"\nresults: {args.output / 'latest.json'}, plot: {args.output / 'latency.png'}")
    if not results["correct"]:
        print("CORRECTNESS VIOLATED: a report was lost or handled more than once", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
