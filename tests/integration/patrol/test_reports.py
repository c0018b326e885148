"""Reports through the watchers' API: photos checked and cleaned, one commit, `hazard.reported` to subscribers."""

from __future__ import annotations

import io
import json
import uuid

from PIL import Image

from services.patrol.handlers.reference import load_reference
from shared.db.pool import connect
from tests.support.db import count
from tests.support.waiting import eventually

IN_TUANJIE_G1 = {"lat": "41.782", "lon": "123.452"}
GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 46.0, 55.0), 3: "E", 4: (123.0, 27.0, 7.0)})
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 60, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def report_form(description: str, **fields: str) -> dict[str, str]:
    return {"category": "fire.balcony-storage", "description": description, **IN_TUANJIE_G1, **fields}


async def test_a_report_with_photos_commits_once_and_reaches_a_subscriber_with_its_community_and_grid(
    patrol, admin_db
):
    description = f"阳台堆放大量纸箱 {uuid.uuid4()}"
    response = await patrol.client.post(
        "/reports",
        data=report_form(description),
        files=[
            ("photos", ("balcony.jpg", jpeg_with_gps(), "image/jpeg")),
            ("photos", ("b.png", png(), "image/png")),
        ],
        headers=patrol.token("w-0101", "watcher"),
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["community_code"], report["street_code"], report["grid_code"]) == (
        "WG-TJ",
        "WG",
        "WG-TJ-G1",
    )
    assert report["severity"] == "high" and report["status"] == "submitted"
    assert [url.rsplit(".", 1)[1] for url in report["photo_urls"]] == ["jpg", "png"]
    report_id = uuid.UUID(report["report_id"])
    assert await count(admin_db, "patrol.reports", "report_id = $1", report_id) == 1
    assert await count(admin_db, "patrol.report_photos", "report_id = $1", report_id) == 2
    assert await count(admin_db, "patrol.outbox", "subject = $1", str(report_id)) == 1
    read_back = await patrol.client.get(f"/reports/{report_id}", headers=patrol.token("w-0101", "watcher"))
    assert read_back.json() == report

    received: list[dict] = []

    async def arrived() -> bool:
        received.extend(data for kind, data in await patrol.published() if kind == "hazard.reported")
        return any(data["report_id"] == str(report_id) for data in received)

    await eventually(arrived, what="hazard.reported to reach the bound queue")
    [event] = [data for data in received if data["report_id"] == str(report_id)]
    assert (event["community_code"], event["street_code"], event["grid_code"]) == ("WG-TJ", "WG", "WG-TJ-G1")
    assert event["reporter"] == {"kind": "watcher", "id": "w-0101"}
    assert event["photo_urls"] == report["photo_urls"] and event["description"] == description


async def test_a_stored_photo_is_served_by_its_url_without_gps(patrol):
    response = await patrol.client.post(
        "/reports",
        data=report_form("井盖边缘破损"),
        files=[("photos", ("p.jpg", jpeg_with_gps(), "image/jpeg"))],
        headers=patrol.token("w-0102", "watcher"),
    )
    [url] = response.json()["photo_urls"]
    served = await patrol.client.get(url.removeprefix("http://patrol.test"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert GPS_IFD in Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0
    stored = list(patrol.settings.photo_dir.rglob("*.jpg"))
    assert len(stored) == 1 and stored[0].read_bytes() == served.content
    assert (await patrol.client.get("/photos/" + "0" * 64 + ".jpg")).status_code == 404


async def test_a_handlers_after_photo_is_stored_cleaned_and_served_by_the_url_it_is_given(patrol):
    handler = patrol.token("prop-1", "handler")
    response = await patrol.client.post(
        "/photos", files={"photo": ("after.jpg", jpeg_with_gps(), "image/jpeg")}, headers=handler
    )
    assert response.status_code == 201, response.text
    served = await patrol.client.get(response.json()["photo_url"].removeprefix("http://patrol.test"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0

    text = await patrol.client.post(
        "/photos", files={"photo": ("x.jpg", b"not a photo", "image/jpeg")}, headers=handler
    )
    assert text.status_code == 422
    assert text.json()["errors"][0]["loc"] == ["body", "photo"]
    watcher = await patrol.client.post(
        "/photos",
        files={"photo": ("after.jpg", png(), "image/png")},
        headers=patrol.token("w-0102", "watcher"),
    )
    assert watcher.status_code == 403
    assert len(list(patrol.settings.photo_dir.rglob("*.*"))) == 1


async def test_a_text_file_named_jpg_with_a_jpeg_content_type_is_refused_and_nothing_is_written(
    patrol, admin_db
):
    description = f"lying photo {uuid.uuid4()}"
    response = await patrol.client.post(
        "/reports",
        data=report_form(description),
        files=[
            ("photos", ("ok.png", png(), "image/png")),
            ("photos", ("evil.jpg", b"#!/bin/sh\necho not a photo\n", "image/jpeg")),
        ],
        headers=patrol.token("w-0103", "watcher"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "photos[1]"]
    assert await count(admin_db, "patrol.reports", "description = $1", description) == 0
    assert list(patrol.settings.photo_dir.rglob("*.*")) == []


async def test_a_photo_over_the_size_limit_and_a_tenth_photo_are_refused_naming_the_field(patrol):
    headers = patrol.token("w-0104", "watcher")
    big = patrol.settings.max_photo_bytes + 1
    too_big = await patrol.client.post(
        "/reports",
        data=report_form("x"),
        files=[("photos", ("a.png", b"\x89PNG" + b"0" * big, "image/png"))],
        headers=headers,
    )
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["loc"] == ["body", "photos[0]"]
    ten = [("photos", (f"{n}.png", png(), "image/png")) for n in range(10)]
    too_many = await patrol.client.post("/reports", data=report_form("x"), files=ten, headers=headers)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["loc"] == ["body", "photos"]


async def test_bad_input_names_the_field(patrol):
    headers = patrol.token("w-0105", "watcher")
    unknown = await patrol.client.post(
        "/reports", data=report_form("x", category="fire.dragon"), headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "category"]
    outside = await patrol.client.post(
        "/reports", data=report_form("x", lat="39.9", lon="116.4"), headers=headers
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["loc"] == ["body", "lat"]
    bad_lat = await patrol.client.post("/reports", data=report_form("x", lat="91"), headers=headers)
    assert bad_lat.status_code == 422 and bad_lat.json()["errors"][0]["loc"] == ["body", "lat"]
    nowhere = await patrol.client.post(
        "/reports", data={"category": "order.dispute", "description": "吵架"}, headers=headers
    )
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["loc"] == ["body", "lat"]


async def test_a_report_without_coordinates_takes_its_reporters_community_or_the_one_its_address_names(
    patrol,
):
    by_token = await patrol.client.post(
        "/reports",
        data={"category": "sanitation.garbage", "description": "垃圾满溢"},
        headers=patrol.token("cw-0001", "community_worker", community="WG-RL"),
    )
    assert by_token.status_code == 201, by_token.text
    assert (by_token.json()["community_code"], by_token.json()["grid_code"]) == ("WG-RL", None)
    by_address = await patrol.client.post(
        "/reports",
        data={"category": "sanitation.garbage", "description": "垃圾满溢", "address": "北苑社区 12号楼"},
        headers=patrol.token("r-0001", "resident"),
    )
    assert by_address.status_code == 201 and by_address.json()["community_code"] == "WG-BY"


async def test_an_anonymous_report_hides_its_reporter_but_its_author_still_sees_it(patrol):
    headers = patrol.token("r-0002", "resident")
    made = await patrol.client.post("/reports", data=report_form("匿名", anonymous="true"), headers=headers)
    assert made.json()["reporter"] == {"kind": "anonymous", "id": None}
    mine = await patrol.client.get("/me/reports", headers=headers)
    assert made.json()["report_id"] in [report["report_id"] for report in mine.json()["items"]]
    other = await patrol.client.get(
        f"/reports/{made.json()['report_id']}", headers=patrol.token("r-9", "resident")
    )
    assert other.status_code == 404


async def test_a_reporter_withdraws_before_dispatch_once_and_hazard_withdrawn_is_published(patrol, admin_db):
    headers = patrol.token("w-0106", "watcher")
    report_id = (
        await patrol.client.post("/reports", data=report_form("已自行清理"), headers=headers)
    ).json()["report_id"]
    stranger = await patrol.client.post(
        f"/reports/{report_id}/withdraw", json={"reason": "x"}, headers=patrol.token("w-2", "watcher")
    )
    assert stranger.status_code == 404
    withdrawn = await patrol.client.post(
        f"/reports/{report_id}/withdraw", json={"reason": "已自行清理"}, headers=headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await patrol.client.post(f"/reports/{report_id}/withdraw", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409 and again.json()["state"] == "withdrawn"
    events = await _wait_for(patrol, "hazard.withdrawn", report_id)
    assert events[0]["reason"] == "已自行清理"


async def _wait_for(patrol, event_type: str, report_id: str) -> list[dict]:
    seen: list[dict] = []

    async def arrived() -> bool:
        seen.extend(
            data
            for kind, data in await patrol.published()
            if kind == event_type and data["report_id"] == report_id
        )
        return bool(seen)

    await eventually(arrived, what=f"{event_type} for {report_id}")
    return seen


async def test_the_category_list_comes_from_the_loaded_bundle_which_loads_once_per_version(
    patrol, admin_db, infra
):
    categories = (await patrol.client.get("/categories")).json()
    assert [c["code"] for c in categories] == [c.code for c in patrol.context.bundle.categories]
    manhole = next(c for c in categories if c["code"] == "facilities.manhole-cover")
    assert manhole["group"] == "facilities" and manhole["keywords"] and manhole["attributes"]
    assert await count(admin_db, "patrol.communities") == len(patrol.context.bundle.organisations) == 145
    assert await count(admin_db, "patrol.grids") == len(patrol.context.bundle.grids)
    conn = await connect(infra.database_url("patrol"), "patrol")
    try:
        assert await load_reference(conn, patrol.context.bundle) is False
    finally:
        await conn.close()


async def test_a_watchers_report_without_coordinates_takes_their_community_and_joins_their_open_patrol(
    patrol,
):
    registered = await patrol.client.post(
        "/watchers",
        json={"display_name": "老李", "phone": "13700001111", "community_code": "WG-BY"},
        headers=patrol.token("d-1", "dispatcher"),
    )
    assert registered.status_code == 201, registered.text
    watcher = patrol.token(registered.json()["watcher_id"], "watcher")
    started = await patrol.client.post(
        "/me/patrols", json={"location": {"lat": 41.782, "lon": 123.452}}, headers=watcher
    )
    assert started.status_code == 201, started.text

    made = await patrol.client.post(
        "/reports", data={"category": "greenery.dead-branch", "description": "枯枝将落"}, headers=watcher
    )
    assert made.status_code == 201, made.text
    assert (made.json()["community_code"], made.json()["street_code"]) == ("WG-BY", "WG")
    on_patrol = await patrol.client.get(f"/me/patrols/{started.json()['patrol_id']}", headers=watcher)
    assert on_patrol.json()["report_ids"] == [made.json()["report_id"]]


async def test_a_new_bundle_version_replaces_the_old_in_one_load_and_keeps_retired_categories_inactive(
    patrol, admin_db, infra
):
    bundle = patrol.context.bundle
    retired = bundle.categories[-1].code
    newer = bundle.model_copy(
        update={
            "manifest": bundle.manifest.model_copy(update={"version": bundle.manifest.version + "-next"}),
            "categories": bundle.categories[:-1],
        }
    )
    conn = await connect(infra.database_url("patrol"), "patrol")
    try:
        assert await load_reference(conn, newer) is True
        assert await load_reference(conn, newer) is False
        version = await admin_db.fetchval("SELECT version FROM patrol.reference_loads")
        assert version == newer.manifest.version
        assert (
            await admin_db.fetchval("SELECT active FROM patrol.categories WHERE code = $1", retired) is False
        )
        assert await load_reference(conn, bundle) is True  # back to the bundle the other tests use
        assert (
            await admin_db.fetchval("SELECT active FROM patrol.categories WHERE code = $1", retired) is True
        )
    finally:
        await conn.close()


async def test_a_retried_upload_with_the_devices_report_id_reports_once(patrol, admin_db):
    headers = patrol.token("w-0107", "watcher")
    chosen = str(uuid.uuid4())
    form = report_form("重试上传", report_id=chosen)
    photo = [("photos", ("p.png", png(), "image/png"))]
    first = await patrol.client.post("/reports", data=form, files=photo, headers=headers)
    again = await patrol.client.post("/reports", data=form, files=photo, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["report_id"] == again.json()["report_id"] == chosen
    assert first.json() == again.json(), "the new report as committed reads the same as read back"
    assert await count(admin_db, "patrol.reports", "report_id = $1", uuid.UUID(chosen)) == 1
    assert await count(admin_db, "patrol.outbox", "subject = $1", chosen) == 1
    taken = await patrol.client.post("/reports", data=form, headers=patrol.token("w-0108", "watcher"))
    assert taken.status_code == 409 and taken.json()["state"] == "taken"


async def test_a_category_with_a_required_attribute_takes_it_as_an_attribute_form_field(patrol, admin_db):
    form = {
        "category": "facilities.manhole-cover",
        "description": "井盖边缘出现裂缝，需尽快报修",
        **IN_TUANJIE_G1,
    }
    missing = await patrol.client.post("/reports", data=form, headers=patrol.token("w-0102", "watcher"))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "attribute[cover_state]"]

    made = await patrol.client.post(
        "/reports",
        data={**form, "attribute[cover_state]": "cracked"},
        headers=patrol.token("w-0102", "watcher"),
    )
    assert made.status_code == 201, made.text
    stored = await admin_db.fetchval(
        "SELECT attributes FROM patrol.reports WHERE report_id = $1", uuid.UUID(made.json()["report_id"])
    )
    assert json.loads(stored) == {"cover_state": "cracked"}
    read_back = await patrol.client.get(
        f"/reports/{made.json()['report_id']}", headers=patrol.token("w-0102", "watcher")
    )
    assert read_back.json() == made.json()
