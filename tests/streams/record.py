"""Records the streams the replay tests use, from a running system (`make run` in another terminal):

    .venv/bin/python -m tests.streams.record

Each scenario is acted out through the public HTTP APIs while every event on the bus is captured; the events of the
scenario (by correlation id: one story each) are written to `tests/streams/<scenario>.jsonl`, one structured
CloudEvent per line. Record again when an event contract changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from ops.demo import PATROL, Story, act_out, photo
from ops.follow import Filters, follow
from ops.settings import OpsSettings
from shared.clock import SystemClock
from shared.events.structured import to_structured, write_stream
from shared.messaging.topology import Topology
from shared.settings import LOCAL_RABBITMQ_URL, ServiceSettings

HERE = Path(__file__).parent
TRAINING = OpsSettings().training_url
TUANJIE_STAIRWELL = (41.7851, 123.4571)
METRES_30_NORTH = 30 / 111_000


async def duplicate_report(story: Story) -> None:
    """Two watchers report the same stairwell full of goods, 30 m apart: the second report merges."""
    first = await _watcher(story, "张阿姨")
    second = await _watcher(story, "李师傅")
    lat, lon = TUANJIE_STAIRWELL
    for watcher, latitude in ((first, lat), (second, lat + METRES_30_NORTH)):
        await story.call(
            "POST",
            f"{PATROL}/reports",
            story.bearer(watcher, ["watcher"], "WG-TJ"),
            data={
                "category": "fire.stairwell-storage",
                "description": "3单元楼道堆放杂物，堵塞通道",
                "lat": f"{latitude:.6f}",
                "lon": f"{lon:.6f}",
                "attribute[floor]": "3",
            },
            files=[("photos", ("stairwell.jpg", photo((90, 90, 90)), "image/jpeg"))],
        )
        await asyncio.sleep(1.0)


async def overdue_case(story: Story) -> None:
    """A broken street light nobody takes on: the replay moves the clock past its deadline."""
    watcher = await _watcher(story, "赵大爷")
    await story.call(
        "POST",
        f"{PATROL}/reports",
        story.bearer(watcher, ["watcher"], "WG-TJ"),
        data={
            "category": "facilities.street-light",
            "description": "7号楼前路灯不亮，夜间行人看不清路",
            "lat": "41.7811",
            "lon": "123.4601",
        },
    )


async def reserve_candidate_appointed(story: Story) -> None:
    """A reserve candidate of Beiyuan community is trained at a salon and appointed secretary."""
    trainer = story.bearer(f"trainer-{story.run}", ["trainer"])
    person = f"p-bycand-{story.run}"
    await story.call(
        "POST",
        f"{TRAINING}/people",
        trainer,
        json={
            "person_id": person,
            "display_name": "刘晓雯",
            "roles": ["community_worker"],
            "organisation_code": "WG-BY",
            "contacts": [{"channel": "sms", "address": f"137{uuid.uuid4().int % 10**8:08d}"}],
        },
    )
    nomination = await story.call(
        "POST",
        f"{TRAINING}/reserve/nominations",
        trainer,
        json={
            "person_id": person,
            "organisation_code": "WG-BY",
            "nominated_by": "organisation",
            "nominator": "北苑社区党委",
        },
    )
    candidate = nomination.get("candidate_id", person)
    await story.call(
        "POST", f"{TRAINING}/reserve/candidates/{candidate}/stage", trainer, json={"stage": "in_cultivation"}
    )
    now = SystemClock().now()
    session = await story.call(
        "POST",
        f"{TRAINING}/sessions",
        trainer,
        json={
            "kind": "salon",
            "title": "书记沙龙：基层矛盾调解",
            "topic": "基层矛盾调解",
            "place": "大东区党群服务中心",
            "starts_at": (now + timedelta(seconds=3)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
            "capacity": 30,
        },
    )
    await story.call(
        "POST", f"{TRAINING}/sessions/{session['session_id']}/enrolments", trainer, json={"person_id": person}
    )
    await asyncio.sleep(4)
    await story.call(
        "POST",
        f"{TRAINING}/sessions/{session['session_id']}/attendance",
        trainer,
        json={"entries": [{"person_id": person, "attended": True, "hours": 2}]},
    )
    await story.call(
        "POST", f"{TRAINING}/reserve/candidates/{candidate}/stage", trainer, json={"stage": "ready"}
    )
    organisation = await story.call("GET", f"{TRAINING}/organisations?street_code=WG", trainer)
    beiyuan = next(o for o in organisation if o["code"] == "WG-BY")
    if beiyuan.get("secretary_id"):  # the post must be vacant to appoint into it
        admin = story.bearer(f"admin-{story.run}", ["admin"])
        await story.call("DELETE", f"{TRAINING}/organisations/WG-BY/secretary", admin)
    await story.call(
        "POST", f"{TRAINING}/reserve/candidates/{candidate}/appoint", trainer, json={"post": "社区党委书记"}
    )


async def old_ma_story(story: Story) -> None:
    await act_out(story)


async def _watcher(story: Story, name: str) -> str:
    made = await story.call(
        "POST",
        f"{PATROL}/watchers",
        story.dispatcher,
        json={
            "display_name": name,
            "phone": f"138{uuid.uuid4().int % 10**8:08d}",
            "community_code": "WG-TJ",
        },
    )
    return made["watcher_id"]


SCENARIOS: dict[str, Callable[[Story], Awaitable[None]]] = {
    "old-ma-story": old_ma_story,
    "duplicate-report": duplicate_report,
    "overdue-case": overdue_case,
    "reserve-candidate-appointed": reserve_candidate_appointed,
}


async def record(name: str, scenario: Callable[[Story], Awaitable[None]], secret: str, url: str) -> int:
    captured: list[dict[str, Any]] = []
    async with await aio_pika.connect(url) as connection:

        async def capture() -> None:
            async for envelope, message in follow(connection, Topology(), Filters()):
                if envelope is not None:
                    captured.append(to_structured(envelope, message.body))

        listener = asyncio.create_task(capture())
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient(timeout=30) as client:
            await scenario(Story(client, secret))
        await asyncio.sleep(5)  # the services finish what the scenario set off
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
    return write_stream(HERE / f"{name}.jsonl", captured)


async def main() -> None:
    secret = os.environ.get("AUTH_SECRET") or ServiceSettings(service_name="record").auth_secret
    url = os.environ.get("RABBITMQ_URL", LOCAL_RABBITMQ_URL)
    for name, scenario in SCENARIOS.items():
        print(f"{name}: {await record(name, scenario, secret, url)} events")


if __name__ == "__main__":
    asyncio.run(main())
