"""The operator tools, run as commands against the real broker and database."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import uuid
from datetime import datetime

import aio_pika

from ops.replay import ReplayOptions, prepare
from shared.db.pool import create_pool
from shared.events.catalogue.hazard import HazardWithdrawn
from shared.events.envelope import encode_data, new_envelope
from shared.events.structured import from_structured, read_stream, to_structured, write_stream
from shared.messaging.dead_letters import dead_letter_copy
from shared.messaging.publisher import EventPublisher, Unroutable, confirming_channel
from shared.unit_of_work import unit_of_work
from tests.support import ops_cli, probes
from tests.support.queues import take_all
from tests.support.waiting import eventually


async def _publisher(amqp, topology) -> EventPublisher:
    channel = await confirming_channel(amqp)
    return EventPublisher(await topology.declare_exchanges(channel))


async def _sink(amqp, topology, pattern: str = "#") -> str:
    channel = await amqp.channel()
    events = await topology.declare_exchanges(channel)
    queue = await channel.declare_queue(
        topology.queue("probe_consumer", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await queue.bind(events, routing_key=pattern)
    return queue.name


async def _publish(publisher: EventPublisher, data) -> dict:
    """Publish, tolerating the moments before the tool under test has bound its queue."""
    envelope = new_envelope(data, source="/services/patrol")
    with contextlib.suppress(Unroutable):
        await publisher.publish(envelope, encode_data(data))
    return to_structured(envelope, encode_data(data))


async def test_tail_follows_live_events_and_filters_them_by_type(infra, amqp, topology):
    process = await ops_cli.start(infra, topology.namespace, "tail", "--type", "hazard.reported")
    publisher = await _publisher(amqp, topology)
    try:
        lines: list[str] = []

        async def a_report_line() -> bool:
            report = probes.a_report("阳台纸箱")
            await _publish(publisher, report)
            withdrawn = HazardWithdrawn(
                report_id=report.report_id, reason="已清理", withdrawn_at=report.reported_at
            )
            await _publish(publisher, withdrawn)
            try:
                line = await asyncio.wait_for(process.stdout.readline(), timeout=0.5)
            except TimeoutError:
                return False
            lines.append(line.decode())
            return True

        await eventually(a_report_line, timeout=20, what="tail to print an event")
    finally:
        process.terminate()
        rest, _ = await process.communicate()
    printed = lines + rest.decode().splitlines()
    assert printed and all("hazard.reported" in line for line in printed)
    assert not any("hazard.withdrawn" in line for line in printed)
    assert "description=阳台纸箱" in printed[0]


async def test_record_captures_events_as_structured_cloudevents(infra, amqp, topology, tmp_path):
    target = tmp_path / "stream.jsonl"
    process = await ops_cli.start(
        infra, topology.namespace, "record", str(target), "--count", "3", "--duration", "30"
    )
    publisher = await _publisher(amqp, topology)
    sent = []
    while process.returncode is None:
        sent.append(await _publish(publisher, probes.a_report(f"recorded {len(sent)}")))
        try:
            await asyncio.wait_for(process.wait(), timeout=0.3)
        except TimeoutError:
            pass
    assert process.returncode == 0
    recorded = list(read_stream(target))
    assert len(recorded) == 3
    assert recorded == [event for event in sent if event["id"] in {r["id"] for r in recorded}]
    assert recorded[0]["specversion"] == "1.0" and recorded[0]["type"] == "hazard.reported"


async def test_replay_publishes_a_stream_with_renewed_ids_and_shifted_times(infra, amqp, topology, tmp_path):
    first = new_envelope(probes.a_report("first"), source="/services/patrol")
    report = probes.a_report("second")
    second = new_envelope(report, source="/services/patrol", correlation_id=first.id, causation_id=first.id)
    stream = tmp_path / "story.jsonl"
    write_stream(
        stream,
        [
            to_structured(first, encode_data(probes.a_report("first"))),
            to_structured(second, encode_data(report)),
        ],
    )
    sink = await _sink(amqp, topology)
    code, _, err = await ops_cli.run(
        infra,
        topology.namespace,
        "replay",
        str(stream),
        "--renew-ids",
        "--shift-to",
        "2026-05-01T08:00:00+08:00",
        "--quiet",
    )
    assert code == 0, err
    assert "published 2" in err
    received = await take_all(await amqp.channel(), sink)
    assert len(received) == 2
    ids = [uuid.UUID(message.headers["cloudEvents_id"]) for message in received]
    assert first.id not in ids and second.id not in ids
    assert received[1].headers["cloudEvents_correlationid"] == str(ids[0])
    assert received[1].headers["cloudEvents_causationid"] == str(ids[0])
    assert datetime.fromisoformat(received[0].headers["cloudEvents_time"]) == datetime.fromisoformat(
        "2026-05-01T08:00:00+08:00"
    )


def test_replay_keeps_ids_unless_asked_to_renew_them():
    envelope = new_envelope(probes.a_report(), source="/services/patrol")
    stream = [to_structured(envelope, encode_data(probes.a_report()))]
    [(kept, _)] = prepare(stream, ReplayOptions())
    assert kept == envelope


async def test_dead_letters_can_be_listed_shown_requeued_and_purged(infra, amqp, topology):
    channel = await confirming_channel(amqp)
    queues = await topology.declare_service(channel, "dispatch", ["hazard.reported"])
    original = queues["hazard.reported"]
    publisher = await _publisher(amqp, topology)
    ids = []
    for reason in ("invalid-payload", "handler-error"):
        report = probes.a_report(reason)
        envelope = new_envelope(report, source="/services/patrol")
        await publisher.publish(envelope, encode_data(report))
        message = await original.get(no_ack=False, timeout=5)
        dead = dead_letter_copy(
            message, queue=original.name, reason=reason, detail=f"because {reason}", attempts=1
        )
        dlx = await channel.get_exchange(topology.dead_letter_exchange)
        await dlx.publish(dead, routing_key="dispatch")
        await message.ack()
        ids.append(str(envelope.id))

    code, out, err = await ops_cli.run(infra, topology.namespace, "dead-letters", "list", "dispatch")
    assert code == 0, err
    assert "invalid-payload" in out and "handler-error" in out and ids[0] in out

    code, out, _ = await ops_cli.run(
        infra, topology.namespace, "dead-letters", "show", "dispatch", "--id", ids[1]
    )
    shown = json.loads(out)
    assert shown["reason"] == "handler-error" and shown["queue"] == original.name

    code, out, err = await ops_cli.run(
        infra, topology.namespace, "dead-letters", "requeue", "dispatch", "--id", ids[0]
    )
    assert code == 0 and "requeued 1" in out, err
    back = await take_all(channel, original.name)
    assert [message.message_id for message in back] == [ids[0]]

    code, _, err = await ops_cli.run(infra, topology.namespace, "dead-letters", "purge", "dispatch")
    assert code == 2 and "--yes" in err
    code, out, _ = await ops_cli.run(infra, topology.namespace, "dead-letters", "purge", "dispatch", "--yes")
    assert "purged 1" in out


async def test_outbox_and_trace_show_waiting_events_and_a_whole_story(infra, topology, admin_db):
    pool = await create_pool(infra.database_url("patrol"), "patrol")
    try:
        async with unit_of_work(pool, "/services/patrol") as uow:
            reported = await uow.emit(probes.a_report("traced"))
    finally:
        await pool.close()
    await admin_db.execute(
        "INSERT INTO dispatch.inbox (source, event_id, event_type, correlation_id) VALUES ($1, $2, $3, $4)",
        reported.source,
        reported.id,
        reported.type,
        reported.correlation_id,
    )
    waiting = await admin_db.fetchval("SELECT count(*) FROM patrol.outbox WHERE published_at IS NULL")

    code, out, err = await ops_cli.run(infra, topology.namespace, "outbox")
    assert code == 0, err
    patrol_line = next(line for line in out.splitlines() if line.startswith("patrol"))
    assert patrol_line.split()[1] == str(waiting)

    code, out, err = await ops_cli.run(infra, topology.namespace, "trace", str(reported.correlation_id))
    assert code == 0, err
    steps = out.splitlines()
    assert "patrol" in steps[0] and "published" in steps[0] and "hazard.reported" in steps[0]
    assert "dispatch" in steps[1] and "handled" in steps[1]

    by_report, _, err = await ops_cli.run(infra, topology.namespace, "trace", str(reported.subject))
    assert by_report == 0, err
    by_report_out = (await ops_cli.run(infra, topology.namespace, "trace", str(reported.subject)))[1]
    assert by_report_out.splitlines() == steps, "a report's id names its story too"

    code, _, err = await ops_cli.run(infra, topology.namespace, "trace", str(uuid.uuid4()))
    assert code == 1 and "no event" in err


async def _publish_undecodable(amqp, topology) -> str:
    """A message with valid CloudEvents headers and a body that is not JSON; returns its event id."""
    envelope = new_envelope(probes.a_report(), source="/services/patrol")
    channel = await amqp.channel()
    events = await topology.declare_exchanges(channel)
    await events.publish(aio_pika.Message(b"\xffnot json", headers=envelope.to_headers()), "hazard.reported")
    await channel.close()
    return str(envelope.id)


async def _lines_until_a_good_one_follows_the_undecodable(process, amqp, topology) -> list[str]:
    """Publish an undecodable message, then a good one, until the tool has printed both: it went on."""
    publisher = await _publisher(amqp, topology)
    lines: list[str] = []

    async def both_printed() -> bool:
        await _publish_undecodable(amqp, topology)
        await _publish(publisher, probes.a_report("a good one after the broken one"))
        with contextlib.suppress(TimeoutError):
            while line := await asyncio.wait_for(process.stdout.readline(), timeout=0.5):
                lines.append(line.decode())
        assert process.returncode is None, "the tool stopped"
        undecodable = [n for n, line in enumerate(lines) if "undecodable" in line]
        return bool(undecodable) and any(
            "a good one after the broken one" in line for line in lines[undecodable[0] :]
        )

    try:
        await eventually(both_printed, timeout=20, what="the tool to print an undecodable message and go on")
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        _, errors = await process.communicate()
    assert b"Traceback" not in errors, errors.decode()[-2000:]
    return lines


async def test_tail_shows_a_message_it_cannot_decode_and_goes_on(infra, amqp, topology):
    process = await ops_cli.start(infra, topology.namespace, "tail")
    lines = await _lines_until_a_good_one_follows_the_undecodable(process, amqp, topology)
    undecodable = next(line for line in lines if "undecodable" in line)
    assert "hazard.reported" in undecodable and "b'\\xffnot json'" in undecodable


async def test_tail_json_shows_a_message_it_cannot_decode_and_goes_on(infra, amqp, topology):
    process = await ops_cli.start(infra, topology.namespace, "tail", "--json")
    lines = await _lines_until_a_good_one_follows_the_undecodable(process, amqp, topology)
    undecodable = json.loads(next(line for line in lines if "undecodable" in line))
    assert undecodable["type"] == "hazard.reported"
    assert undecodable["undecodable"].startswith("invalid-json")
    assert base64.b64decode(undecodable["data_base64"]) == b"\xffnot json"
    assert "data" not in undecodable


async def test_record_keeps_a_message_it_cannot_decode_and_goes_on(infra, amqp, topology, tmp_path):
    target = tmp_path / "stream.jsonl"
    process = await ops_cli.start(
        infra, topology.namespace, "record", str(target), "--count", "4", "--duration", "30"
    )
    publisher = await _publisher(amqp, topology)
    undecodable_ids = set()
    while process.returncode is None:
        undecodable_ids.add(await _publish_undecodable(amqp, topology))
        await _publish(publisher, probes.a_report("a good one after the broken one"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout=0.3)
    assert process.returncode == 0, (await process.stderr.read()).decode()
    recorded = list(read_stream(target))
    assert len(recorded) == 4
    kept = [event for event in recorded if "undecodable" in event]
    assert kept and all(event["id"] in undecodable_ids for event in kept)
    assert any("data" in event for event in recorded), "the good ones after it are recorded too"
    envelope, body = from_structured(kept[0])
    assert body == b"\xffnot json" and str(envelope.id) == kept[0]["id"], "a replay sends the same bytes"
