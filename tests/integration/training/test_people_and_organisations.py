"""Organisations come from the reference bundle; people are published for notify with sealed contacts only."""

from __future__ import annotations

from shared.contacts import unseal
from tests.integration.training.conftest import outbox


async def test_the_reference_bundle_is_loaded_at_start_once_with_all_145_organisations(
    api, api_for, admin_db
):
    assert await admin_db.fetchval("SELECT count(*) FROM training.organisations") == 145
    assert await admin_db.fetchval("SELECT count(*) FROM training.streets") == 10
    async with api_for():
        pass  # a second start of the same bundle version changes nothing
    assert await admin_db.fetchval("SELECT count(*) FROM training.reference_versions") == 1
    kinds = dict(await admin_db.fetch("SELECT kind, count(*) FROM training.organisations GROUP BY kind"))
    assert kinds == {"community": 127, "village": 18}
    wenguan = await api.get("/organisations", street_code="WG")
    assert {"WG-TJ", "WG-RL", "WG-BY"} <= {o["code"] for o in wenguan}


async def test_a_registered_person_is_published_with_sealed_contacts_and_never_a_phone_in_clear(
    api, admin_db
):
    phone = "13812345678"
    body = {
        "person_id": "p-yin",
        "display_name": "尹雪松",
        "roles": ["secretary"],
        "organisation_code": "WG-RL",
        "contacts": [{"channel": "sms", "address": phone}],
    }
    await api.post("/people", body, expect=201)
    [event] = await outbox(admin_db, "person.registered")
    assert phone not in str(event)
    contacts = unseal(event["sealed_contacts"], api.runtime.settings.contact_seal_key)
    assert contacts.points[0].address == phone
    shown = await api.get("/people/p-yin")
    assert shown["contacts"] == [{"channel": "sms", "address": "138****5678"}]
    assert shown["street_code"] == "WG"


async def test_updating_a_person_publishes_their_whole_current_state(api, admin_db):
    await api.person("p-1", ["community_worker"])
    body = {"display_name": "新名字", "roles": ["community_worker", "lecturer"], "organisation_code": "WG-BY"}
    response = await api.client.put("/people/p-1", json=body, headers=api.as_trainer())
    assert response.status_code == 200, response.text
    [event] = await outbox(admin_db, "person.updated")
    assert event["display_name"] == "新名字"
    lecturers = await api.get("/people", role="lecturer")
    assert [p["person_id"] for p in lecturers] == ["p-1"]
    assert await api.get("/people", role="secretary") == []
    assert sorted(event["roles"]) == ["community_worker", "lecturer"]
    assert event["organisation_code"] == "WG-BY"


async def test_an_unknown_organisation_or_a_duplicate_person_is_answered_naming_the_field(api):
    unknown = await api.post(
        "/people", {"display_name": "x", "roles": ["secretary"], "organisation_code": "NOPE"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "organisation_code"
    await api.person("p-2", ["secretary"])
    again = await api.post("/people", {"person_id": "p-2", "display_name": "x", "roles": ["secretary"]})
    assert again.status_code == 409
    assert again.json()["field"] == "person_id"
    no_roles = await api.post("/people", {"display_name": "x", "roles": []})
    assert no_roles.status_code == 422
    assert no_roles.json()["errors"][0]["loc"][-1] == "roles"


async def test_a_secretary_post_is_filled_only_when_vacant(api):
    await api.person("sec-a", ["secretary"])
    await api.person("sec-b", ["secretary"])
    put = api.client.put
    first = await put("/organisations/WG-TJ/secretary", json={"person_id": "sec-a"}, headers=api.as_trainer())
    assert first.status_code == 204, first.text
    second = await put(
        "/organisations/WG-TJ/secretary", json={"person_id": "sec-b"}, headers=api.as_trainer()
    )
    assert second.status_code == 409
    assert "sec-a" in second.json()["detail"]
    [tuanjie] = [o for o in await api.get("/organisations", street_code="WG") if o["code"] == "WG-TJ"]
    assert tuanjie["secretary_id"] == "sec-a"


async def test_writes_need_a_trainer_and_reads_need_a_token(api):
    body = {"display_name": "x", "roles": ["secretary"]}
    refused = await api.post("/people", body, headers=api.as_worker("p-x"))
    assert refused.status_code == 403
    anonymous = await api.client.get("/organisations")
    assert anonymous.status_code == 401


async def test_the_openapi_document_is_served_with_every_area(api):
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/people",
        "/sessions/{session_id}/enrolments",
        "/reserve/pool",
        "/competitions/{competition_id}/scores",
        "/statistics",
        "/assistance",
    ):
        assert path in paths
