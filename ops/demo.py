"""The article's story, played through the public HTTP APIs of a running system, with a timeline per case.

Old Ma (老马), a safety watcher of Tuanjie community (团结社区), Wenguan street, on his round: Sister Wang's balcony
full of cardboard, a cracked manhole cover, a dead branch over a path. Each report goes to the right unit, is fixed,
verified by him, and he and the units are told.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from PIL import Image

from ops.settings import OpsSettings
from shared.auth import issue_token
from shared.clock import DISTRICT_TIMEZONE
from shared.contacts import mask_phone

_URLS = OpsSettings()
PATROL, DISPATCH, NOTIFY = _URLS.patrol_url, _URLS.dispatch_url, _URLS.notify_url
CONSOLE = _URLS.console_url
# Points inside Tuanjie community's grid cells in the sample reference bundle.
STORY = [
    (
        "fire.balcony-storage",
        "王大姐家阳台堆放大量纸箱，万一有火星飘过来很容易引发火灾，已当面劝导清理",
        41.7863,
        123.4586,
        {},
    ),
    (
        "facilities.manhole-cover",
        "井盖边缘出现裂缝，需尽快报修",
        41.7822,
        123.4530,
        {"attribute[cover_state]": "cracked"},
    ),
    ("greenery.dead-branch", "树木枯枝摇摇欲坠，悬在小路上方，要及时安排修剪", 41.7870, 123.4540, {}),
]
FIXES = {
    "fire.balcony-storage": "纸箱已清理，已向住户说明消防要求",
    "facilities.manhole-cover": "已更换井盖并加固边缘",
    "greenery.dead-branch": "枯枝已修剪清运",
}


@dataclass
class Case:
    category: str
    report_id: str
    case_id: str = ""
    case_number: str = ""  # what people read: DD-2026-000123
    unit_id: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)


def photo(text_colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), text_colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class Story:
    def __init__(self, client: httpx.AsyncClient, secret: str) -> None:
        self.client = client
        self.secret = secret
        run = uuid.uuid4().hex[:6]
        self.admin = self.bearer(f"demo-admin-{run}", ["admin"])
        self.dispatcher = self.bearer(f"demo-dispatcher-{run}", ["dispatcher"])
        self.run = run
        self.watcher_id = ""
        self.began = ""

    def bearer(
        self, subject: str, roles: list[str], community: str | None = None, units: tuple[str, ...] = ()
    ) -> dict[str, str]:
        token = issue_token(
            self.secret, subject, roles, lifetime=timedelta(hours=2), community_code=community, unit_ids=units
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def old_ma(self) -> dict[str, str]:
        return self.bearer(self.watcher_id, ["watcher"], "WG-TJ")

    async def call(self, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        response = await self.client.request(method, url, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url} → {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None

    async def register_old_ma(self) -> None:
        phone = f"139{uuid.uuid4().int % 10**8:08d}"
        watcher = await self.call(
            "POST",
            f"{PATROL}/watchers",
            self.dispatcher,
            json={
                "display_name": "老马",
                "phone": phone,
                "community_code": "WG-TJ",
                "equipment": [{"item": "red_vest", "issued_on": "2026-03-01"}],
            },
        )
        self.watcher_id = watcher["watcher_id"]

    async def report(self, category: str, description: str, lat: float, lon: float, extra: dict) -> Case:
        # Somewhere within about 150 m of the spot, so that a story played again is a new story rather than a
        # duplicate of the last one (reports of one category within 50 m merge into one case).
        lat, lon = lat + random.uniform(-0.0013, 0.0013), lon + random.uniform(-0.0017, 0.0017)
        data = {
            "category": category,
            "description": description,
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            **extra,
        }
        files = [("photos", ("photo.jpg", photo((180, 60, 40)), "image/jpeg"))]
        made = await self.call("POST", f"{PATROL}/reports", self.old_ma, data=data, files=files)
        return Case(category=category, report_id=made["report_id"])

    async def wait_for_case(self, case: Case) -> None:
        for _ in range(300):
            report = await self.call("GET", f"{PATROL}/reports/{case.report_id}", self.old_ma)
            if report.get("case_id") and report.get("unit_id"):
                case.case_id, case.unit_id = report["case_id"], report["unit_id"]
                opened = await self.call("GET", f"{DISPATCH}/cases/{case.case_id}", self.dispatcher)
                case.case_number = opened["case_number"]
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"report {case.report_id} was not assigned within 30 s")

    async def fix(self, case: Case) -> None:
        handler = f"h-{case.unit_id}-{self.run}"
        await self.call("PUT", f"{DISPATCH}/admin/units/{case.unit_id}/members/{handler}", self.admin)
        as_handler = self.bearer(handler, ["handler"], units=(case.unit_id,))
        for action in ("accept", "start"):
            await self.call("POST", f"{DISPATCH}/cases/{case.case_id}/{action}", as_handler)
        await self.call(
            "POST",
            f"{DISPATCH}/cases/{case.case_id}/resolve",
            as_handler,
            json={"note": FIXES[case.category]},
        )
        await self.call("POST", f"{DISPATCH}/cases/{case.case_id}/verify", self.old_ma)

    async def wait_until_closed(self, case: Case) -> dict[str, Any]:
        for _ in range(300):
            report = await self.call("GET", f"{PATROL}/reports/{case.report_id}", self.old_ma)
            if report["status"] == "closed":
                return report
            await asyncio.sleep(0.1)
        raise TimeoutError(f"report {case.report_id} did not reach closed within 30 s")

    async def timeline(self, case: Case) -> list[str]:
        """The case as dispatch, patrol (what Old Ma sees) and notify (what the unit was sent) recorded it."""
        steps = await self.call("GET", f"{DISPATCH}/cases/{case.case_id}/timeline", self.dispatcher)
        report = await self.call("GET", f"{PATROL}/reports/{case.report_id}", self.old_ma)
        events = [
            (
                step["at"],
                f"dispatch  {step.get('from_status') or '—'} → {step['to_status']} by "
                f"{step.get('actor') or 'system'}{_why(step.get('reason'))}",
            )
            for step in steps
        ]
        events += [
            (entry["at"], f"patrol    Old Ma sees: {entry['note'] or entry['status']}")
            for entry in report.get("history", [])
        ]
        events += [(d["created_at"], _delivery(f"unit {case.unit_id}", d)) for d in await self.told(case)]
        return [f"  {_when(at)}  {text}" for at, text in sorted(events, key=lambda event: _instant(event[0]))]

    async def told(self, case: Case) -> list[dict[str, Any]]:
        """What notify sent the case's unit since the story began (once its worker has dealt with it)."""
        url = f"{NOTIFY}/units/{case.unit_id}/notifications"
        for _ in range(50):
            deliveries = [
                d
                for d in (await self.call("GET", url, self.dispatcher))["items"]
                if _instant(d["created_at"]) >= _instant(self.began)
            ]
            if deliveries and all(
                d["status"] != "pending" or _instant(d["next_attempt_at"]) > _now() for d in deliveries
            ):
                break
            await asyncio.sleep(0.2)
        return deliveries

    async def wait_until_notify_knows_old_ma(self) -> None:
        """Old Ma wants to hear at any hour: clear his quiet hours once notify has his registration."""
        for _ in range(300):
            response = await self.client.get(f"{NOTIFY}/people/{self.watcher_id}", headers=self.old_ma)
            if response.status_code == 200:
                await self.call(
                    "PUT",
                    f"{NOTIFY}/people/{self.watcher_id}/quiet-hours",
                    self.old_ma,
                    json={"start": "00:00", "end": "00:00"},
                )  # an empty window: never quiet
                return
            await asyncio.sleep(0.1)
        raise TimeoutError("notify did not learn of Old Ma's registration within 30 s")

    async def old_ma_was_told(self) -> list[str]:
        for _ in range(100):  # the resolutions reach him through notify's delivery worker
            deliveries = (
                await self.call("GET", f"{NOTIFY}/people/{self.watcher_id}/notifications", self.old_ma)
            )["items"]
            if (
                sum(
                    d["cause_event_type"] == "issue.resolved" and d["status"] != "pending" for d in deliveries
                )
                >= 3
            ):
                break
            await asyncio.sleep(0.2)
        ordered = sorted(deliveries, key=lambda d: _instant(d["created_at"]))
        return [f"  {_when(d['created_at'])}  {_delivery('老马', d)}" for d in ordered]


def _delivery(who: str, delivery: dict[str, Any]) -> str:
    text = " ".join(delivery["body"].split())[:80]
    state = delivery["status"]
    if state == "pending":
        held_until = max(_instant(delivery["due_at"]), _instant(delivery["next_attempt_at"]))
        state = f"held until {_when(held_until.isoformat())}" if held_until > _now() else "queued"
    return f"notify    → {who} by {delivery['channel']} [{state}]: {text}"


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _now() -> datetime:
    return datetime.now(UTC)


def _when(value: str) -> str:
    return _instant(value).astimezone(DISTRICT_TIMEZONE).strftime("%m-%d %H:%M:%S")


def _why(reason: str | None) -> str:
    return f" ({reason})" if reason else ""


class SmsGateway:
    """A stand-in SMS gateway on this machine, so the demo can show the text messages notify sends."""

    def __init__(self, port: int) -> None:
        self.received: list[dict[str, Any]] = []

        async def app(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            self.received.append(json.loads(body or b"{}"))
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"ok": true}'})

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> SmsGateway:
        self.task = asyncio.create_task(self.server.serve())
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


async def play(secret: str, sms_gateway_port: int | None = None) -> list[Case]:
    if sms_gateway_port is None:
        return await _play(secret, None)
    async with SmsGateway(sms_gateway_port) as gateway:
        return await _play(secret, gateway)


async def act_out(story: Story) -> list[Case]:
    """The story itself: Old Ma registers, reports three hazards; each unit fixes its case; he verifies them."""
    story.began = _now().isoformat()
    await story.register_old_ma()
    await story.wait_until_notify_knows_old_ma()
    cases = [await story.report(*line) for line in STORY]
    for case in cases:
        await story.wait_for_case(case)
        await story.fix(case)
    for case in cases:
        await story.wait_until_closed(case)
    return cases


async def _play(secret: str, gateway: SmsGateway | None) -> list[Case]:
    async with httpx.AsyncClient(timeout=30) as client:
        story = Story(client, secret)
        cases = await act_out(story)
        print("老马 (Old Ma), safety watcher of 团结社区 Tuanjie community, 文官街道 Wenguan street\n")
        for case in cases:
            print(f"{case.category}  report {case.report_id[:8]}  case {case.case_number}  → {case.unit_id}")
            for line in await story.timeline(case):
                print(line)
            print()
        print("What Old Ma was told (notify's deliveries to him):")
        for line in await story.old_ma_was_told():
            print(line)
        if gateway is not None:
            print("\nText messages the SMS gateway received:")
            for message in gateway.received:
                text = " ".join(str(message.get("text", "")).split())
                print(f"  to {mask_phone(str(message.get('to', '')))}: {text}")
        print(console_guide(cases, story.watcher_id))
        return cases


def console_guide(cases: list[Case], watcher_id: str) -> str:
    """Where the story's people see it in a browser, and the accounts they would sign in with (an account's name is
    the id the services know the person by: Old Ma's is his watcher id)."""
    units = sorted({case.unit_id for case in cases})
    lines = [
        f"\nThe same story in the console, {CONSOLE}:",
        f"  Old Ma's phone (shift, patrol, reports): {CONSOLE}/watcher",
        f"  the dispatcher's board:     {CONSOLE}/desk  (map: {CONSOLE}/desk/map)",
        *(f"  case {case.case_number}:    {CONSOLE}/desk/cases/{case.case_id}" for case in cases),
        f"  a unit's inbox:             {CONSOLE}/inbox",
        *(
            f"  {case.unit_id}'s case {case.case_number}: {CONSOLE}/inbox/cases/{case.case_id}"
            for case in cases
        ),
        "Accounts for them (each asks for a password):",
        f"  .venv/bin/python -m services.console create-account --username {watcher_id} --role watcher"
        " --community WG-TJ --display-name 老马",
        "  .venv/bin/python -m services.console create-account --username dispatcher --role dispatcher",
        *(
            f"  .venv/bin/python -m services.console create-account --username {unit} --role handler --unit {unit}"
            for unit in units
        ),
    ]
    return "\n".join(lines)
