"""`python -m ops VERB`: follow, record, replay and trace events; look after dead letters and outboxes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from rich.progress import Progress

from ops import database
from ops.broker_definitions import definitions as render_definitions
from ops.follow import Filters, follow
from ops.render import line
from ops.replay import ReplayOptions, prepare, replay
from ops.settings import OpsSettings
from ops.status import gather_status, render
from services import SERVICE_NAMES
from shared.clock import DISTRICT_TIMEZONE
from shared.events.structured import read_stream, to_structured
from shared.messaging import dead_letters
from shared.messaging.connection import connect
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.messaging.topology import Topology
from shared.settings import enforce_secrets, weak_secrets

DESCRIPTION = """Event tools for grassroots operators and developers.

The broker is RABBITMQ_URL (and AMQP_NAMESPACE); outbox and trace read the database at ADMIN_DATABASE_URL."""


def _topology(settings: OpsSettings) -> Topology:
    return Topology(settings.amqp_namespace, settings.delivery_limit)


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(types=args.type or ["#"], correlation_id=args.correlation, subject=args.subject)


async def tail(args: argparse.Namespace, settings: OpsSettings) -> int:
    async with await connect(settings.broker) as connection:
        async for envelope, message in follow(connection, _topology(settings), _filters(args)):
            if envelope is None:
                print(
                    f"(not a CloudEvent) routing key {message.routing_key}: {message.body[:80]!r}", flush=True
                )
            elif args.json:
                print(json.dumps(to_structured(envelope, message.body), ensure_ascii=False), flush=True)
            else:
                print(line(envelope, message.body), flush=True)
    return 0


async def record(args: argparse.Namespace, settings: OpsSettings) -> int:
    count = 0
    async with await connect(settings.broker) as connection:
        with args.file.open("w", encoding="utf-8") as out:
            stream = follow(connection, _topology(settings), _filters(args))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(args.duration):
                    async for envelope, message in stream:
                        if envelope is None:
                            continue
                        out.write(
                            json.dumps(to_structured(envelope, message.body), ensure_ascii=False) + "\n"
                        )
                        out.flush()
                        count += 1
                        if args.count and count >= args.count:
                            break
    print(f"recorded {count} events to {args.file}", file=sys.stderr)
    return 0


async def replay_file(args: argparse.Namespace, settings: OpsSettings) -> int:
    shift_to = None
    if args.shift_to == "now":
        shift_to = datetime.now(UTC)
    elif args.shift_to:
        shift_to = datetime.fromisoformat(args.shift_to)
        if shift_to.tzinfo is None:
            shift_to = shift_to.replace(tzinfo=DISTRICT_TIMEZONE)
    options = ReplayOptions(renew_ids=args.renew_ids, shift_to=shift_to, rate=args.rate)
    prepared = prepare(list(read_stream(args.file)), options)
    async with await connect(settings.broker) as connection:
        channel = await confirming_channel(connection)
        exchange = await _topology(settings).declare_exchanges(channel)
        with Progress(disable=args.quiet) as bar:
            task = bar.add_task(f"replaying {args.file.name}", total=len(prepared))
            result = await replay(EventPublisher(exchange), prepared, options, lambda n: bar.advance(task, n))
    print(f"published {result.published}, unroutable (no queue bound) {result.unroutable}", file=sys.stderr)
    return 0


async def dead_letter_command(args: argparse.Namespace, settings: OpsSettings) -> int:
    topology = _topology(settings)
    async with await connect(settings.broker) as connection:
        channel = await connection.channel(publisher_confirms=True)
        if args.action == "list":
            for letter in await dead_letters.peek(channel, topology, args.service, args.limit):
                kind = letter.headers.get("cloudEvents_type", "?")
                print(
                    f"{letter.dead_lettered_at[:19]:<19}  {letter.reason:<28} {kind!s:<26} "
                    f"{letter.message_id}  {letter.detail[:80]}"
                )
        elif args.action == "show":
            for letter in await dead_letters.peek(channel, topology, args.service, args.limit):
                if letter.message_id == args.id:
                    headers = {key: str(value) for key, value in letter.headers.items()}
                    print(
                        json.dumps(
                            {
                                "reason": letter.reason,
                                "detail": letter.detail,
                                "queue": letter.original_queue,
                                "headers": headers,
                                "body": letter.body.decode(errors="replace"),
                            },
                            ensure_ascii=False,
                            indent=2,
                        )
                    )
                    return 0
            print(f"no dead letter {args.id} among the first {args.limit}", file=sys.stderr)
            return 1
        elif args.action == "requeue":
            moved = await dead_letters.requeue(channel, topology, args.service, message_id=args.id)
            print(f"requeued {moved} dead letters of {args.service}")
        elif args.action == "purge":
            if not args.yes:
                print("purge deletes the letters for good: add --yes", file=sys.stderr)
                return 2
            print(f"purged {await dead_letters.purge(channel, topology, args.service)} dead letters")
    return 0


async def outbox(args: argparse.Namespace, settings: OpsSettings) -> int:
    conn = await asyncpg.connect(settings.admin_database_url)
    try:
        states = await database.outbox_states(conn)
    finally:
        await conn.close()
    print(f"{'service':<10} {'waiting':>8} {'oldest waiting':<26} {'unroutable':>10} {'sent last hour':>14}")
    for state in states:
        oldest = (
            state.oldest_waiting.astimezone(DISTRICT_TIMEZONE).isoformat(timespec="seconds")
            if state.oldest_waiting
            else "-"
        )
        print(
            f"{state.service:<10} {state.waiting:>8} {oldest:<26} {state.unroutable:>10} {state.published_last_hour:>14}"
        )
    return 0


async def status(args: argparse.Namespace, settings: OpsSettings) -> int:
    statuses = await gather_status(settings)
    if args.json:
        for each in statuses:
            print(json.dumps(dataclasses.asdict(each), ensure_ascii=False, default=str))
    else:
        print(render(statuses, datetime.now(UTC)))
    return 0 if all(each.healthy for each in statuses) else 1


async def trace(args: argparse.Namespace, settings: OpsSettings) -> int:
    conn = await asyncpg.connect(settings.admin_database_url)
    try:
        steps = []
        for story in await database.stories_of(conn, args.id) or [args.id]:
            steps += await database.story(conn, story)
    finally:
        await conn.close()
    if not steps:
        print(f"no event belongs to a story named by {args.id}", file=sys.stderr)
        return 1
    steps.sort(key=lambda step: (step.at, step.action != "published"))
    for step in steps:
        if args.json:
            print(
                json.dumps(
                    {
                        "at": step.at.isoformat(),
                        "service": step.service,
                        "action": step.action,
                        "type": step.event_type,
                        "id": str(step.event_id),
                        "subject": step.subject,
                        "causation_id": str(step.caused_by) if step.caused_by else None,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            when = step.at.astimezone(DISTRICT_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            about = f"  ({step.subject})" if step.subject else ""
            print(
                f"{when}  {step.service:<9} {step.action:<9} {step.event_type:<28} {str(step.event_id)[:8]}{about}"
            )
    return 0


async def broker_definitions(args: argparse.Namespace, settings: OpsSettings) -> int:
    missing = [
        f"{service.upper()}_AMQP_PASSWORD"
        for service in SERVICE_NAMES
        if not os.environ.get(f"{service.upper()}_AMQP_PASSWORD")
    ]
    missing += [
        name for name in ("RABBITMQ_ADMIN_USER", "RABBITMQ_ADMIN_PASSWORD") if not os.environ.get(name)
    ]
    if missing:
        print(f"set {', '.join(missing)}", file=sys.stderr)
        return 2
    problems = weak_secrets({"RABBITMQ_ADMIN_PASSWORD": os.environ["RABBITMQ_ADMIN_PASSWORD"]})
    for service in SERVICE_NAMES:
        variable = f"{service.upper()}_AMQP_PASSWORD"
        problems += weak_secrets({variable: os.environ[variable]}, names=[service])
    enforce_secrets(settings.environment, problems)  # production refuses example or short passwords
    document = render_definitions(
        {service: os.environ[f"{service.upper()}_AMQP_PASSWORD"] for service in SERVICE_NAMES},
        (os.environ["RABBITMQ_ADMIN_USER"], os.environ["RABBITMQ_ADMIN_PASSWORD"]),
        _topology(settings),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


async def demo(args: argparse.Namespace, settings: OpsSettings) -> int:
    from ops.demo import play
    from shared.settings import ServiceSettings

    secret = os.environ.get("AUTH_SECRET") or ServiceSettings(service_name="demo").auth_secret
    await play(secret, args.sms_gateway_port)
    return 0


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        action="append",
        metavar="PATTERN",
        help="event types to follow, AMQP topic syntax (hazard.*, dispatch.#); repeatable; default all",
    )
    parser.add_argument("--correlation", type=uuid.UUID, metavar="ID", help="only the events of this story")
    parser.add_argument("--subject", help="only the events about this aggregate (a report id, a case id...)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m ops", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    verbs = root.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser(
        "tail",
        help="follow live events, one readable line each (or JSON)",
        description="Follow live events as they are published, until Ctrl-C.",
    )
    _add_filters(p)
    p.add_argument("--json", action="store_true", help="print each event as a structured CloudEvent")
    p.set_defaults(run=tail)

    p = verbs.add_parser(
        "record",
        help="capture events to a JSON-lines file",
        description="Capture live events to FILE, one structured CloudEvent per line.",
    )
    p.add_argument("file", type=Path)
    _add_filters(p)
    p.add_argument("--count", type=int, default=0, help="stop after this many events")
    p.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    p.set_defaults(run=record)

    p = verbs.add_parser(
        "replay",
        help="publish a recorded file again",
        description="Publish the events of FILE (JSON lines) to the events exchange, with confirms.",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--renew-ids",
        action="store_true",
        help="give every event a new id (stories keep their shape); default keeps ids, so consumers "
        "that already handled them ignore them",
    )
    p.add_argument(
        "--shift-to",
        metavar="TIME",
        help="move the stream in time so its first event happens at TIME (ISO 8601, or 'now'); the moments "
        "inside each event's data (deadlines, report times...) move by the same offset",
    )
    p.add_argument(
        "--rate", type=float, default=0.0, help="events per second (default: as fast as confirmed)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=replay_file)

    p = verbs.add_parser(
        "dead-letters",
        help="list, show, requeue or purge a service's dead letters",
        description="Look after SERVICE's dead-letter queue. list and show leave the letters in place; "
        "requeue sends them back to the queue they came from; purge deletes them.",
    )
    p.add_argument("action", choices=["list", "show", "requeue", "purge"])
    p.add_argument("service", choices=SERVICE_NAMES)
    p.add_argument("--id", help="with show: the letter's message id; with requeue: only this letter")
    p.add_argument("--limit", type=int, default=100, help="how many letters list and show look at")
    p.add_argument("--yes", action="store_true", help="confirm purge")
    p.set_defaults(run=dead_letter_command)

    p = verbs.add_parser(
        "outbox",
        help="how many events each service has waiting, and the oldest",
        description="Per service: events not yet published, the oldest of them, unroutable events.",
    )
    p.set_defaults(run=outbox)

    p = verbs.add_parser(
        "status",
        help="each service at a glance: ready, outbox, queues and their consumers, dead letters",
        description="Per service: its /readyz (the *_URL settings), its outbox's backlog and oldest event "
        "(ADMIN_DATABASE_URL), each of its queues' ready messages and consumers, its dead letters. Exits 1 when "
        "a service is not ready or has dead letters.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per service")
    p.set_defaults(run=status)

    p = verbs.add_parser(
        "trace",
        help="the whole story of one report across services, in order",
        description="Every event of a story, where it was published and where handled. The story is named by its "
        "correlation id, or by any id of it: an event's, a report's, a case's.",
    )
    p.add_argument("id", type=uuid.UUID, help="a correlation id, an event id, a report id or a case id")
    p.add_argument("--json", action="store_true", help="one JSON object per step")
    p.set_defaults(run=trace)

    p = verbs.add_parser(
        "broker-definitions",
        help="write the RabbitMQ definitions file of a deployment",
        description="Write RabbitMQ definitions (vhost, exchanges, an administrator and one user per "
        "service with least privilege) from <SERVICE>_AMQP_PASSWORD, RABBITMQ_ADMIN_USER "
        "and RABBITMQ_ADMIN_PASSWORD.",
    )
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=broker_definitions)

    p = verbs.add_parser(
        "demo",
        help="play the article's story through the running system's HTTP APIs",
        description="Old Ma's round in Tuanjie community, reported, routed, fixed, verified and "
        "told, through the public APIs on 127.0.0.1:8001-8003; prints a timeline per case.",
    )
    p.add_argument(
        "--sms-gateway-port", type=int, help="serve a stand-in SMS gateway on this port during the story"
    )
    p.set_defaults(run=demo)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return asyncio.run(args.run(args, OpsSettings()))
    except KeyboardInterrupt:
        return 130
