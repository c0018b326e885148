"""Open311 GeoReport v2 answers per the specification, in JSON and XML, errors included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from shared.contacts import unseal
from shared.events.catalogue.dispatch import DispatchAssigned
from shared.events.catalogue.issue import IssueClosed, IssueResolved
from tests.support.waiting import eventually

BASE = "/open311/v2"
NOW = datetime(2026, 4, 4, 1, 0, tzinfo=UTC)
PHONE = "13912345678"


async def _api_key(patrol) -> str:
    refused = await patrol.client.post(
        "/open311/keys", json={"client_name": "x"}, headers=patrol.token("d", "dispatcher")
    )
    assert refused.status_code == 403
    issued = await patrol.client.post(
        "/open311/keys", json={"client_name": "盛京通"}, headers=patrol.token("a-1", "admin")
    )
    assert issued.status_code == 201
    return issued.json()["api_key"]


async def _submit(patrol, fmt: str = "json", **fields: str):
    patrol.context.clock.set(NOW)
    form = {
        "service_code": "facilities.manhole-cover",
        "lat": "41.782",
        "long": "123.452",
        "attribute[cover_state]": "cracked",
        **fields,
    }
    return await patrol.client.post(f"{BASE}/requests.{fmt}", data=form)


def xml(response) -> ElementTree.Element:
    assert response.headers["content-type"].startswith("text/xml")
    return ElementTree.fromstring(response.content)


async def test_discovery_and_the_service_list_answer_in_json_and_xml(patrol):
    discovery = (await patrol.client.get(f"{BASE}/discovery.json")).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert (
        xml(await patrol.client.get(f"{BASE}/discovery.xml")).find("endpoints/endpoint/formats/format")
        is not None
    )

    services = (await patrol.client.get(f"{BASE}/services.json")).json()
    manhole = next(s for s in services if s["service_code"] == "facilities.manhole-cover")
    assert manhole["group"] == "facilities" and manhole["metadata"] is True and manhole["type"] == "realtime"
    assert "," in manhole["keywords"] or manhole["keywords"]
    assert not any(s["service_code"].startswith("need.") for s in services), (
        "needs stay out of the public API"
    )
    root = xml(await patrol.client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [e.text for e in root.findall("service/service_code")] == [s["service_code"] for s in services]


async def test_a_service_definition_lists_its_attributes_and_an_unknown_one_is_a_404_error_list(patrol):
    definition = (await patrol.client.get(f"{BASE}/services/facilities.manhole-cover.json")).json()
    assert definition["service_code"] == "facilities.manhole-cover"
    attribute = definition["attributes"][0]
    assert {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    } <= set(attribute)
    root = xml(await patrol.client.get(f"{BASE}/services/facilities.manhole-cover.xml"))
    assert root.tag == "service_definition" and root.find("attributes/attribute/code") is not None

    missing = await patrol.client.get(f"{BASE}/services/fire.dragon.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code: no service 'fire.dragon'"}]
    missing_xml = await patrol.client.get(f"{BASE}/services/fire.dragon.xml")
    assert missing_xml.status_code == 404 and xml(missing_xml).find("error/code").text == "404"


async def test_a_request_needs_a_valid_api_key_and_a_location(patrol):
    key = await _api_key(patrol)
    assert (await _submit(patrol)).status_code == 403
    wrong = await _submit(patrol, "xml", api_key="not-a-key")
    assert wrong.status_code == 403 and xml(wrong).find("error/description").text.startswith("api_key")
    nowhere = await _submit(patrol, api_key=key, lat="", long="")
    assert nowhere.status_code == 400 and "address_string or address_id" in nowhere.json()[0]["description"]
    half = await _submit(patrol, api_key=key, long="")
    assert half.status_code == 400 and half.json()[0]["description"].startswith("lat, long")
    too_long = await _submit(patrol, api_key=key, description="长" * 4001)
    assert too_long.status_code == 400 and too_long.json()[0]["description"].startswith("description")
    unknown = await _submit(patrol, api_key=key, service_code="fire.dragon")
    assert unknown.status_code == 404
    unknown_place = await _submit(patrol, api_key=key, lat="", long="", address_string="某某路 1号")
    assert unknown_place.status_code == 400
    assert unknown_place.json()[0]["description"].startswith("address_string")
    named_place = await _submit(patrol, api_key=key, lat="", long="", address_string="荣乐社区 5号楼")
    assert named_place.status_code == 200, named_place.text
    outside = await _submit(patrol, api_key=key, lat="39.9", long="116.4")
    assert outside.status_code == 400 and outside.json()[0]["description"].startswith("lat")
    no_state = await _submit(patrol, api_key=key, **{"attribute[cover_state]": ""})
    assert no_state.status_code == 400 and no_state.json()[0]["description"].startswith(
        "attribute[cover_state]"
    )
    odd_state = await _submit(patrol, api_key=key, **{"attribute[cover_state]": "stolen"})
    assert odd_state.status_code == 400 and "cracked" in odd_state.json()[0]["description"]
    by_address_id = await _submit(patrol, api_key=key, lat="", long="", address_id="WG-RL")
    assert by_address_id.status_code == 200, by_address_id.text


async def test_a_revoked_key_is_refused(patrol, admin_db):
    issued = await patrol.client.post(
        "/open311/keys", json={"client_name": "旧版"}, headers=patrol.token("a", "admin")
    )
    key, key_id = issued.json()["api_key"], issued.json()["key_id"]
    assert (await _submit(patrol, api_key=key)).status_code == 200
    assert (
        await admin_db.fetchval("SELECT count(*) FROM patrol.open311_api_keys WHERE key_sha256 = $1", key)
        == 0
    )
    revoked = await patrol.client.delete(f"/open311/keys/{key_id}", headers=patrol.token("a-1", "admin"))
    assert revoked.status_code == 204
    refused = await _submit(patrol, api_key=key)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403


async def test_a_submitted_request_is_reported_without_the_requesters_contact_details_and_found_by_token(
    patrol, admin_db
):
    key = await _api_key(patrol)
    description = f"井盖破损 {uuid.uuid4()}"
    submitted = await _submit(
        patrol,
        api_key=key,
        description=description,
        email="resident@example.cn",
        phone=PHONE,
        first_name="小",
        last_name="王",
        media_url="https://img.example.cn/manhole.jpg",
    )
    assert submitted.status_code == 200, submitted.text
    [answer] = submitted.json()
    request_id, token = answer["service_request_id"], answer["token"]
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}

    received: list[dict] = []

    async def arrived() -> bool:
        received.extend(data for kind, data in await patrol.published() if kind == "hazard.reported")
        return any(data["report_id"] == request_id for data in received)

    await eventually(arrived, what="hazard.reported from Open311")
    [event] = [data for data in received if data["report_id"] == request_id]
    assert event["reporter"]["kind"] == "open311" and event["grid_code"] == "WG-TJ-G1"
    assert event["photo_urls"] == ["https://img.example.cn/manhole.jpg"]
    assert event["attributes"] == {"cover_state": "cracked"}, "the attribute answer travels with the report"
    assert PHONE not in str(event) and "example.cn" not in event["description"]
    staff_view = await patrol.client.get(f"/reports/{request_id}", headers=patrol.token("d-1", "dispatcher"))
    assert staff_view.json()["attributes"] == {"cover_state": "cracked"}
    sealed = await admin_db.fetchval(
        "SELECT sealed_contacts FROM patrol.open311_requests WHERE report_id = $1", uuid.UUID(request_id)
    )
    assert PHONE not in sealed
    assert [p.address for p in unseal(sealed, patrol.settings.contact_seal_key).points] == [
        "resident@example.cn",
        PHONE,
    ]

    by_token = xml(await patrol.client.get(f"{BASE}/tokens/{token}.xml"))
    assert by_token.tag == "service_requests"
    assert by_token.find("request/service_request_id").text == request_id
    assert (await patrol.client.get(f"{BASE}/tokens/nope.json")).status_code == 404


async def test_a_request_reads_back_as_an_array_with_status_agency_and_deadline_from_the_projection(patrol):
    key = await _api_key(patrol)
    [answer] = (await _submit(patrol, api_key=key, description="井盖松动")).json()
    request_id = answer["service_request_id"]
    [fresh] = (await patrol.client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert (fresh["status"], fresh["agency_responsible"], fresh["expected_datetime"]) == ("open", None, None)
    assert fresh["requested_datetime"] == "2026-04-04T09:00:00+08:00"
    assert (fresh["lat"], fresh["long"]) == (41.782, 123.452)

    case_id = uuid.uuid4()
    deadline = NOW + timedelta(days=1)
    await patrol.publish(
        DispatchAssigned(
            case_id=case_id,
            report_ids=[uuid.UUID(request_id)],
            unit_id="district-office",
            category="facilities.manhole-cover",
            severity="high",
            community_code="WG-TJ",
            street_code="WG",
            deadline=deadline,
            reason="r",
            assigned_at=NOW + timedelta(minutes=5),
        )
    )
    await patrol.publish(IssueClosed(case_id=case_id, closed_at=NOW + timedelta(hours=2)))

    async def closed() -> bool:
        response = await patrol.client.get(f"{BASE}/requests/{request_id}.json")
        return response.json()[0]["status"] == "closed"

    await eventually(closed, what="the request to read closed")
    root = xml(await patrol.client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    assert root.find("request/agency_responsible").text == "大东区基层治理指挥中心"
    assert root.find("request/expected_datetime").text == "2026-04-05T09:00:00+08:00"
    assert root.find("request/updated_datetime").text == "2026-04-04T11:00:00+08:00"
    assert root.find("request/status_notes").text == "已核实并结案"


async def test_searching_filters_by_id_list_code_status_and_a_window_of_at_most_90_days(patrol):
    key = await _api_key(patrol)
    first = await _submit(patrol, api_key=key, description="一")
    second = await _submit(patrol, api_key=key, description="二", service_code="facilities.street-light")
    ids = [first.json()[0]["service_request_id"], second.json()[0]["service_request_id"]]

    by_ids = (
        await patrol.client.get(f"{BASE}/requests.json", params={"service_request_id": ",".join(ids)})
    ).json()
    assert sorted(r["service_request_id"] for r in by_ids) == sorted(ids)
    lights = (
        await patrol.client.get(f"{BASE}/requests.json", params={"service_code": "facilities.street-light"})
    ).json()
    assert ids[1] in [r["service_request_id"] for r in lights] and ids[0] not in [
        r["service_request_id"] for r in lights
    ]
    assert all(r["service_code"] == "facilities.street-light" for r in lights)
    closed = (await patrol.client.get(f"{BASE}/requests.json", params={"status": "closed"})).json()
    assert not set(ids) & {r["service_request_id"] for r in closed}
    window = {"start_date": "2026-04-04T00:00:00+08:00", "end_date": "2026-04-05T00:00:00+08:00"}
    inside = (await patrol.client.get(f"{BASE}/requests.json", params=window)).json()
    assert set(ids) <= {r["service_request_id"] for r in inside}
    later = {"start_date": "2026-04-05T00:00:00+08:00", "end_date": "2026-04-06T00:00:00+08:00"}
    assert not set(ids) & {
        r["service_request_id"]
        for r in (await patrol.client.get(f"{BASE}/requests.json", params=later)).json()
    }

    too_wide = await patrol.client.get(
        f"{BASE}/requests.xml", params={"start_date": "2026-01-01", "end_date": "2026-04-05"}
    )
    assert too_wide.status_code == 400 and "90 days" in xml(too_wide).find("error/description").text
    bad_status = await patrol.client.get(f"{BASE}/requests.json", params={"status": "fixed"})
    assert bad_status.status_code == 400 and bad_status.json()[0]["description"].startswith("status")
    unknown = await patrol.client.get(f"{BASE}/requests/{uuid.uuid4()}.xml")
    assert unknown.status_code == 404 and xml(unknown).tag == "errors"
    assert (await patrol.client.get(f"{BASE}/services.csv")).status_code == 404


async def test_request_updates_follow_each_step_of_the_case_in_the_extensions_words(patrol):
    """mySociety's servicerequestupdates, as FixMyStreet polls it: one update per step, stable ids."""
    key = await _api_key(patrol)
    [answer] = (await _submit(patrol, api_key=key, description="井盖缺失")).json()
    request_id = answer["service_request_id"]
    case_id = uuid.uuid4()
    await patrol.publish(
        DispatchAssigned(
            case_id=case_id,
            report_ids=[uuid.UUID(request_id)],
            unit_id="district-office",
            category="facilities.manhole-cover",
            severity="high",
            community_code="WG-TJ",
            street_code="WG",
            deadline=NOW + timedelta(days=1),
            reason="r",
            assigned_at=NOW + timedelta(minutes=5),
        )
    )
    await patrol.publish(
        IssueResolved(
            case_id=case_id,
            unit_id="district-office",
            report_ids=[uuid.UUID(request_id)],
            reporters=[],
            resolved_by="h-1",
            note="已更换井盖",
            resolved_at=NOW + timedelta(hours=1),
        )
    )
    await patrol.publish(IssueClosed(case_id=case_id, closed_at=NOW + timedelta(hours=2)))
    window = {"start_date": "2026-04-04T08:00:00+08:00", "end_date": "2026-04-05T08:00:00+08:00"}

    async def mine() -> list[dict]:
        response = await patrol.client.get(f"{BASE}/servicerequestupdates.json", params=window)
        assert response.status_code == 200, response.text
        return [update for update in response.json() if update["service_request_id"] == request_id]

    async def all_three() -> bool:
        return len(await mine()) == 3

    await eventually(all_three, what="three updates of the request")
    updates = await mine()
    assert [u["status"] for u in updates] == ["investigating", "fixed", "closed"]
    assert [u["updated_datetime"] for u in updates] == [
        "2026-04-04T09:05:00+08:00",
        "2026-04-04T10:00:00+08:00",
        "2026-04-04T11:00:00+08:00",
    ]
    assert set(updates[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    assert [u["update_id"] for u in await mine()] == [u["update_id"] for u in updates], "stable ids"
    assert len({u["update_id"] for u in updates}) == 3
    root = xml(await patrol.client.get(f"{BASE}/servicerequestupdates.xml", params=window))
    assert root.tag == "service_request_updates"
    assert request_id in [e.text for e in root.findall("request_update/service_request_id")]
    too_wide = await patrol.client.get(
        f"{BASE}/servicerequestupdates.json",
        params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert too_wide.status_code == 400 and too_wide.json()[0]["code"] == 400
