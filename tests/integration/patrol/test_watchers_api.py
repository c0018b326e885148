"""Registering, changing and deactivating watchers over HTTP, with their events on the real broker."""

from __future__ import annotations

from shared.contacts import unseal

OLD_MA = {
    "display_name": "老马",
    "phone": "138-1234-5678",
    "community_code": "WG-TJ",
    "equipment": [
        {"item": "red_vest", "issued_on": "2026-03-01"},
        {"item": "red_armband", "issued_on": "2026-03-01"},
    ],
    "pairings": [{"role": "auxiliary_police", "name": "李警官", "badge": "210104", "station": "文官派出所"}],
}


def _dispatcher(service):
    return service.token("d-1", "dispatcher")


async def test_registering_a_watcher_publishes_watcher_registered_once_with_sealed_contacts_and_no_phone_in_clear(
    watcher_service, watcher_published, admin_db
):
    created = await watcher_service.client.post(
        "/watchers", json=OLD_MA, headers=_dispatcher(watcher_service)
    )
    assert created.status_code == 201, created.text
    watcher = created.json()
    assert watcher["phone"] == "138****5678"
    assert (watcher["community_code"], watcher["street_code"]) == ("WG-TJ", "WG")
    assert [e["item"] for e in watcher["equipment"]] == ["red_armband", "red_vest"]
    assert watcher["pairings"][0]["role"] == "auxiliary_police"

    published = await watcher_published()
    registered = [data for kind, data in published if kind == "watcher.registered"]
    assert len(registered) == 1
    [event] = registered
    assert event["watcher_id"] == watcher["watcher_id"]
    assert (event["display_name"], event["community_code"], event["street_code"]) == ("老马", "WG-TJ", "WG")
    assert "13812345678" not in str(published) and "5678" not in str(event)
    contacts = unseal(event["sealed_contacts"], watcher_service.settings.contact_seal_key)
    assert [(p.channel, p.address) for p in contacts.points] == [("sms", "13812345678")]
    stored = await admin_db.fetchval(
        "SELECT phone FROM patrol.watchers WHERE watcher_id = $1", watcher["watcher_id"]
    )
    assert stored == "13812345678"
    outbox = await admin_db.fetchval("SELECT string_agg(data::text, ' ') FROM patrol.outbox")
    assert "13812345678" not in outbox


async def test_a_bad_phone_or_an_unknown_community_is_a_422_naming_the_field_and_writes_nothing(
    watcher_service, admin_db
):
    headers = _dispatcher(watcher_service)
    bad_phone = await watcher_service.client.post(
        "/watchers", json={**OLD_MA, "phone": "12345"}, headers=headers
    )
    unknown = await watcher_service.client.post(
        "/watchers", json={**OLD_MA, "community_code": "NO-SUCH"}, headers=headers
    )
    assert bad_phone.status_code == 422
    assert [error["loc"] for error in bad_phone.json()["errors"]] == [["body", "phone"]]
    assert unknown.status_code == 422
    assert [error["loc"] for error in unknown.json()["errors"]] == [["body", "community_code"]]
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.watchers") == 0


async def test_a_second_active_watcher_with_the_same_phone_is_a_409(watcher_service):
    headers = _dispatcher(watcher_service)
    assert (await watcher_service.client.post("/watchers", json=OLD_MA, headers=headers)).status_code == 201
    again = await watcher_service.client.post(
        "/watchers", json={**OLD_MA, "display_name": "马师傅", "phone": "+86 13812345678"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json()["state"] == "already_registered"
    assert "phone" in again.json()["detail"]


async def test_an_update_publishes_the_whole_state_with_the_changed_fields_and_a_no_op_publishes_nothing(
    watcher_service, watcher_published
):
    headers = _dispatcher(watcher_service)
    watcher_id = (await watcher_service.client.post("/watchers", json=OLD_MA, headers=headers)).json()[
        "watcher_id"
    ]
    await watcher_published()

    moved = await watcher_service.client.patch(
        f"/watchers/{watcher_id}", json={"community_code": "S02-C01", "phone": "13912345678"}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["street_code"], moved.json()["phone"]) == ("S02", "139****5678")
    same = await watcher_service.client.patch(
        f"/watchers/{watcher_id}",
        json={"display_name": "老马", "equipment": OLD_MA["equipment"]},
        headers=headers,
    )
    assert same.status_code == 200

    updates = [data for kind, data in await watcher_published() if kind == "watcher.updated"]
    assert len(updates) == 1
    [update] = updates
    assert update["changed_fields"] == ["community_code", "sealed_contacts"]
    assert (update["display_name"], update["community_code"], update["street_code"]) == (
        "老马",
        "S02-C01",
        "S02",
    )
    contacts = unseal(update["sealed_contacts"], watcher_service.settings.contact_seal_key)
    assert contacts.points[0].address == "13912345678"


async def test_deactivating_publishes_watcher_deactivated_cancels_future_shifts_and_cannot_happen_twice(
    watcher_service, watcher_published
):
    headers = _dispatcher(watcher_service)
    watcher_id = (await watcher_service.client.post("/watchers", json=OLD_MA, headers=headers)).json()[
        "watcher_id"
    ]
    now = watcher_service.context.clock.now()
    shift = await watcher_service.client.post(
        "/shifts",
        json={
            "watcher_id": watcher_id,
            "starts_at": f"{now.date()}T23:00:00+00:00",
            "ends_at": f"{now.date()}T23:59:00+00:00",
        },
        headers=headers,
    )
    assert shift.status_code == 201, shift.text

    gone = await watcher_service.client.post(
        f"/watchers/{watcher_id}/deactivate", json={"reason": "搬离社区"}, headers=headers
    )
    again = await watcher_service.client.post(
        f"/watchers/{watcher_id}/deactivate", json={"reason": "搬离社区"}, headers=headers
    )
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert again.status_code == 409 and again.json()["state"] == "deactivated"

    published = await watcher_published()
    kinds = [kind for kind, _ in published]
    assert kinds.count("watcher.deactivated") == 1
    [cancelled] = [data for kind, data in published if kind == "patrol.shift.cancelled"]
    assert cancelled["shift_id"] == shift.json()["shift_id"]
    listed = await watcher_service.client.get("/shifts", params={"watcher_id": watcher_id}, headers=headers)
    assert [s["status"] for s in listed.json()] == ["cancelled"]


async def test_lists_show_phones_masked_and_filter_by_community(watcher_service):
    headers = _dispatcher(watcher_service)
    for phone, community in (("13800000001", "WG-TJ"), ("13800000002", "WG-RL"), ("13800000003", "WG-TJ")):
        body = {**OLD_MA, "phone": phone, "community_code": community}
        assert (await watcher_service.client.post("/watchers", json=body, headers=headers)).status_code == 201
    page = await watcher_service.client.get("/watchers", params={"community_code": "WG-TJ"}, headers=headers)
    assert page.json()["total"] == 2
    assert [w["phone"] for w in page.json()["watchers"]] == ["138****0001", "138****0003"]


async def test_watcher_administration_needs_a_token_and_a_managing_role(watcher_service):
    anonymous = await watcher_service.client.post("/watchers", json=OLD_MA)
    resident = await watcher_service.client.post(
        "/watchers", json=OLD_MA, headers=watcher_service.token("r-1", "resident")
    )
    assert (anonymous.status_code, resident.status_code) == (401, 403)


async def test_a_community_worker_limited_to_a_community_manages_only_its_watchers(watcher_service):
    dispatcher = _dispatcher(watcher_service)
    rongle = await watcher_service.client.post(
        "/watchers", json={**OLD_MA, "community_code": "WG-RL"}, headers=dispatcher
    )
    tuanjie_worker = watcher_service.token("cw-7", "community_worker", community="WG-TJ")
    elsewhere = await watcher_service.client.post(
        "/watchers",
        json={**OLD_MA, "phone": "13900000009", "community_code": "WG-RL"},
        headers=tuanjie_worker,
    )
    at_home = await watcher_service.client.post(
        "/watchers", json={**OLD_MA, "phone": "13900000009"}, headers=tuanjie_worker
    )
    deactivate = await watcher_service.client.post(
        f"/watchers/{rongle.json()['watcher_id']}/deactivate", json={"reason": "x"}, headers=tuanjie_worker
    )
    listed = await watcher_service.client.get("/watchers", headers=tuanjie_worker)
    assert elsewhere.status_code == 403 and elsewhere.json()["field"] == "community_code"
    assert at_home.status_code == 201
    assert deactivate.status_code == 404, "another community's watcher is not this worker's to know of"
    assert [w["community_code"] for w in listed.json()["watchers"]] == ["WG-TJ"]
