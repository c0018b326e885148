"""The four services running together on the real broker and database, with data in two communities of two
streets built through their public APIs and the events between them: community A (Tuanjie, Wenguan street) is
what every request of the scope table reaches for; community B (another street) is where the wrong tokens work."""

from __future__ import annotations

import contextlib
import itertools
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import jwt
from shapely.geometry import shape

from services.dispatch.bootstrap import definition as dispatch
from services.notify.bootstrap import definition as notify
from services.patrol.bootstrap import definition as patrol
from services.training.bootstrap import definition as training
from shared.reference import ReferenceBundle
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.support.waiting import eventually

BUNDLE = ReferenceBundle.load()
A, A_STREET, A_UNIT = "WG-TJ", "WG", "WG-TJ-property"
B, B_STREET, B_UNIT = "S02-C01", "S02", "S02-C01-property"
HANDLER_A, HANDLER_B = "handler-a", "handler-b"
_phones = itertools.count(random.randrange(10**7))


def point_in(community: str, spread: float = 0.0) -> tuple[float, float]:
    grid = next(g for g in BUNDLE.grids if g.community_code == community)
    centre = shape(grid.geometry).representative_point()
    return centre.y + random.uniform(-spread, spread), centre.x + random.uniform(-spread, spread)


def phone() -> str:
    return f"137{next(_phones) % 10**8:08d}"


@dataclass
class District:
    """HTTP clients of the four services and the ids of what was made in community A (and B)."""

    clients: dict[str, httpx.AsyncClient]
    apps: dict[str, object]
    secret: str
    ids: dict[str, str] = field(default_factory=dict)

    def bearer(
        self,
        subject: str,
        *roles: str,
        community: str | None = None,
        street: str | None = None,
        units: tuple[str, ...] = (),
    ) -> dict[str, str]:
        """Signed here rather than by `issue_token`, so that the same table runs against older code."""
        now = datetime.now(UTC)
        claims: dict[str, object] = {
            "iss": "grassroots", "sub": subject, "roles": sorted(roles), "iat": now, "exp": now + timedelta(hours=1)
        }  # fmt: skip
        if community:
            claims["community"] = community
        if street:
            claims["street"] = street
        if units:
            claims["units"] = list(units)
        return {"Authorization": f"Bearer {jwt.encode(claims, self.secret, algorithm='HS256')}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.bearer("admin-1", "admin")

    async def call(self, service: str, method: str, path: str, expect: int, **kwargs) -> dict:
        headers = kwargs.pop("headers", None) or self.admin
        response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else {}


@contextlib.asynccontextmanager
async def running_district(settings_for, photo_dir) -> AsyncIterator[District]:
    overrides = {
        "patrol": {"photo_dir": photo_dir, "public_base_url": "http://patrol.test"},
        "notify": {"delivery_worker_enabled": False},
    }
    async with contextlib.AsyncExitStack() as stack:
        clients, apps = {}, {}
        for definition in (patrol(), dispatch(), notify(), training()):
            settings = settings_for(definition, **overrides.get(definition.name, {}))
            app = create_app(definition, settings, ServiceRuntime(definition, settings))
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            clients[definition.name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://{definition.name}.test")
            )
            apps[definition.name] = app
        yield District(clients, apps, settings.auth_secret)


async def build(district: District) -> None:
    """Watchers, shifts, a roster, a patrol and reports in A and B; the cases dispatch opens for them and the
    messages notify records; people, a candidate, targeted help and a pairing in training."""
    ids = district.ids
    ids["community"] = A
    run = uuid.uuid4().hex[:6]
    for key, place in (("watcher", A), ("watcher_b", B)):
        body = {"display_name": "守望员", "phone": phone(), "community_code": place}
        ids[key] = (await district.call("patrol", "POST", "/watchers", 201, json=body))["watcher_id"]
    for unit, handler in ((A_UNIT, HANDLER_A), (B_UNIT, HANDLER_B)):  # for code that reads unit_members
        await district.call("dispatch", "PUT", f"/admin/units/{unit}/members/{handler}", 204)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    shift = await district.call(
        "patrol", "POST", "/shifts", 201,
        json={"watcher_id": ids["watcher"], "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=4)).isoformat()},
    )  # fmt: skip
    ids["shift"] = shift["shift_id"]
    first_day = (starts + timedelta(days=5)).date()
    roster = await district.call(
        "patrol", "POST", "/rosters", 201,
        json={"first_day": str(first_day), "last_day": str(first_day), "community_code": A,
              "slots": [{"start": "08:00", "end": "12:00", "watchers": 1}]},
    )  # fmt: skip
    ids["roster"] = roster["roster_id"]
    old_ma = district.bearer(ids["watcher"], "watcher", community=A)
    lat, lon = point_in(A)
    made = await district.call(
        "patrol", "POST", "/me/patrols", 201, headers=old_ma, json={"location": {"lat": lat, "lon": lon}}
    )
    ids["patrol"] = made["patrol_id"]
    reports = [
        (A, old_ma, "fire.balcony-storage"),
        (A, old_ma, "greenery.dead-branch"),
        (B, district.bearer(ids["watcher_b"], "watcher", community=B), "fire.balcony-storage"),
    ]
    for n, (place, reporter, category) in enumerate(reports):
        lat, lon = point_in(place, spread=0.0005)
        form = {"category": category, "description": f"范围测试 {run} {n}", "lat": str(lat), "lon": str(lon)}
        made = await district.call("patrol", "POST", "/reports", 201, headers=reporter, data=form)
        ids[f"report_{n}"] = made["report_id"]
        await _wait_for_case(district, reporter, made["report_id"], f"case_{n}")
    ids["case"], ids["other_case"] = ids["case_0"], ids["case_1"]
    ids["delivery"] = await _wait_for_message(district, f"/units/{A_UNIT}/notifications")
    household = {"community_code": A, "address_label": f"范围测试 {run} 7号楼2单元301"}
    ids["household"] = (await district.call("patrol", "POST", "/households", 201, json=household))[
        "household_id"
    ]
    await _training(district, run)


async def _wait_for_case(district: District, reporter: dict, report_id: str, key: str) -> None:
    async def routed() -> bool:
        report = await district.call("patrol", "GET", f"/reports/{report_id}", 200, headers=reporter)
        if report.get("case_id") and report.get("unit_id"):
            district.ids[key] = report["case_id"]
            return True
        return False

    await eventually(routed, timeout=30, what=f"report {report_id} to be dispatched")


async def _wait_for_message(district: District, path: str) -> str:
    found: list[str] = []

    async def recorded() -> bool:
        found[:] = [d["delivery_id"] for d in (await district.call("notify", "GET", path, 200))["items"]]
        return bool(found)

    await eventually(recorded, timeout=30, what=f"notify to record a message for {path}")
    return found[0]


async def _training(district: District, run: str) -> None:
    ids = district.ids
    people = {
        "secretary": (["secretary"], A),
        "candidate": (["community_worker"], A),
        "helper": (["secretary"], B),
        "mentor": (["secretary", "mentor"], B),
    }
    for key, (roles, place) in people.items():
        body = {"person_id": f"{key}-{run}", "display_name": key, "roles": roles, "organisation_code": place}
        ids[key] = (await district.call("training", "POST", "/people", 201, json=body))["person_id"]
    nomination = {"person_id": ids["candidate"], "organisation_code": A, "nominated_by": "organisation"}
    made = await district.call("training", "POST", "/reserve/nominations", 201, json=nomination)
    ids["candidate_id"] = made["candidate_id"]
    help_body = {"organisation_code": A, "area": "经费管理", "helper_id": ids["helper"]}
    ids["assistance"] = (await district.call("training", "POST", "/assistance", 201, json=help_body))[
        "assistance_id"
    ]
    studio = {"name": f"工作室 {run}", "lead_mentor_id": ids["mentor"]}
    ids["studio"] = (await district.call("training", "POST", "/studios", 201, json=studio))["studio_id"]
    pairing = {"studio_id": ids["studio"], "mentor_id": ids["mentor"], "mentee_id": ids["secretary"],
               "started_on": "2026-03-01", "goals": "独立开展走访"}  # fmt: skip
    ids["pairing"] = (await district.call("training", "POST", "/pairings", 201, json=pairing))["pairing_id"]
