"""The HTTP API: a person's notifications, a delivery's attempts, resending, and the rules (admin)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from services.notify.bootstrap import definition as notify_definition
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.integration.notify.conftest import add_recipient

NOW = datetime(2026, 4, 6, 4, 0, tzinfo=UTC)


@pytest.fixture
async def api(settings_for, notify_context, clean_notify):
    definition = notify_definition()
    context = notify_context(ManualClock(NOW))
    settings = settings_for(definition, delivery_worker_enabled=False, load_units_at_start=False)
    app = create_app(definition, settings, ServiceRuntime(definition, settings, context=context))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:

            def as_(subject: str, *roles: str) -> dict[str, str]:
                return {"Authorization": f"Bearer {issue_token(settings.auth_secret, subject, list(roles))}"}

            client.as_ = as_
            yield client
    await context.http.aclose()


async def _a_delivery(admin_db, recipient_id: str, status: str = "sent") -> uuid.UUID:
    delivery_id = uuid.uuid4()
    await admin_db.execute(
        """INSERT INTO notify.deliveries (delivery_id, cause_event_id, cause_event_type, correlation_id, recipient_id,
               channel, purpose, template, language, body, status, due_at, next_attempt_at, attempts, created_at)
           VALUES ($1, $2, 'issue.resolved', $2, $3, 'webhook', 'notice', 'issue.resolved', 'zh-CN', '问题已处置',
                   $4, $5, $5, 1, $5)""",
        delivery_id,
        uuid.uuid4(),
        recipient_id,
        status,
        NOW,
    )
    await admin_db.execute(
        """INSERT INTO notify.delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome, detail)
           VALUES ($1, 1, $2, $2, 'permanent', 'HTTP 400: bad request')""",
        delivery_id,
        NOW,
    )
    return delivery_id


async def test_a_person_sees_their_own_notifications_and_not_someone_elses(api, admin_db):
    await add_recipient(admin_db, "w-0401", [("webhook", "http://127.0.0.1:9/x")], kind="watcher")
    mine = await _a_delivery(admin_db, "w-0401")
    await _a_delivery(admin_db, "w-0402")
    response = await api.get("/people/w-0401/notifications", headers=api.as_("w-0401", "watcher"))
    assert response.status_code == 200
    assert [item["delivery_id"] for item in response.json()["items"]] == [str(mine)]
    assert response.json()["items"][0]["body"] == "问题已处置" and response.json()["total"] == 1
    other = await api.get("/people/w-0402/notifications", headers=api.as_("w-0401", "watcher"))
    assert other.status_code == 403
    dispatcher = await api.get("/people/w-0402/notifications", headers=api.as_("d-1", "dispatcher"))
    assert dispatcher.status_code == 200 and len(dispatcher.json()["items"]) == 1


async def test_a_delivery_shows_its_attempts(api, admin_db):
    delivery_id = await _a_delivery(admin_db, "w-0403", status="failed")
    response = await api.get(f"/deliveries/{delivery_id}", headers=api.as_("w-0403", "watcher"))
    assert response.status_code == 200
    assert [(a["attempt"], a["outcome"]) for a in response.json()["attempt_log"]] == [(1, "permanent")]
    assert (await api.get(f"/deliveries/{delivery_id}", headers=api.as_("w-9", "watcher"))).status_code == 404


async def test_a_dispatcher_resends_a_failed_delivery_as_a_new_one_and_a_pending_one_is_refused(
    api, admin_db
):
    failed = await _a_delivery(admin_db, "w-0404", status="failed")
    forbidden = await api.post(f"/deliveries/{failed}/resend", headers=api.as_("w-0404", "watcher"))
    assert forbidden.status_code == 403
    response = await api.post(f"/deliveries/{failed}/resend", headers=api.as_("d-1", "dispatcher"))
    assert response.status_code == 201
    resent = response.json()
    assert (resent["purpose"], resent["status"], resent["body"]) == ("resend:1", "pending", "问题已处置")
    again = await api.post(
        f"/deliveries/{resent['delivery_id']}/resend", headers=api.as_("d-1", "dispatcher")
    )
    assert again.status_code == 409
    assert "pending" in again.json()["detail"]


async def test_an_admin_edits_rules_and_bad_rules_are_refused_naming_the_field(api, admin_db):
    admin = api.as_("a-1", "admin")
    seeded = await api.get("/rules", params={"event_type": "dispatch.assigned"}, headers=admin)
    assert [rule["rule_id"] for rule in seeded.json()["items"]] == ["dispatch-assigned-unit"]
    assert (await api.get("/rules", headers=api.as_("d-1", "dispatcher"))).status_code == 403
    rule = {
        "event_type": "issue.reopened",
        "selector": "unit:district-office",
        "channels": ["log"],
        "template": "issue.reopened",
    }
    created = await api.put("/rules/issue-reopened-dispatchers", json=rule, headers=admin)
    assert created.status_code == 201
    try:
        replaced = await api.put(
            "/rules/issue-reopened-dispatchers", json={**rule, "urgency": "urgent"}, headers=admin
        )
        assert replaced.status_code == 200
        stored = await admin_db.fetchval(
            "SELECT urgency FROM notify.rules WHERE rule_id = 'issue-reopened-dispatchers'"
        )
        assert stored == "urgent"
        bad_selector = await api.put("/rules/x-1", json={**rule, "selector": "everyone:now"}, headers=admin)
        assert bad_selector.status_code == 422
        assert bad_selector.json()["errors"][0]["loc"] == ["body", "selector"]
        bad_template = await api.put("/rules/x-1", json={**rule, "template": "no.such"}, headers=admin)
        assert bad_template.status_code == 422 and bad_template.json()["errors"][0]["loc"] == [
            "body",
            "template",
        ]
        unknown_event = await api.put(
            "/rules/x-1", json={**rule, "event_type": "hazard.reported"}, headers=admin
        )
        assert unknown_event.json()["errors"][0]["loc"] == ["body", "event_type"]
    finally:
        deleted = await api.delete("/rules/issue-reopened-dispatchers", headers=admin)
    assert deleted.status_code == 204
    assert (await api.get("/rules/issue-reopened-dispatchers", headers=admin)).status_code == 404


async def test_a_person_sets_their_own_quiet_hours_and_sees_their_channels_but_not_the_addresses(
    api, admin_db
):
    await add_recipient(
        admin_db, "w-0405", [("sms", "13800001111"), ("webhook", "http://127.0.0.1:9/x")], kind="watcher"
    )
    me = api.as_("w-0405", "watcher")
    response = await api.put(
        "/people/w-0405/quiet-hours", json={"start": "21:30", "end": "06:30"}, headers=me
    )
    assert response.status_code == 200
    assert response.json()["quiet_hours"] == {"start": "21:30:00", "end": "06:30:00"}
    assert response.json()["channels"] == ["sms", "webhook"]
    assert "13800001111" not in response.text
    stored = await admin_db.fetchrow(
        "SELECT quiet_start, quiet_end FROM notify.recipients WHERE recipient_id = 'w-0405'"
    )
    assert (str(stored["quiet_start"]), str(stored["quiet_end"])) == ("21:30:00", "06:30:00")
    half = await api.put("/people/w-0405/quiet-hours", json={"start": "21:30"}, headers=me)
    assert half.status_code == 422
    other = await api.put("/people/w-0405/quiet-hours", json={}, headers=api.as_("w-9", "watcher"))
    assert other.status_code == 403
    unknown = await api.put("/people/w-9/quiet-hours", json={}, headers=api.as_("w-9", "watcher"))
    assert unknown.status_code == 404 and unknown.json()["field"] == "person_id"
