"""Importing 1,396 watchers from a CSV: exact rejects, the rest registered, one event per imported watcher."""

from __future__ import annotations

import time

from services.patrol.domain.csv_sample import sample_watchers_csv
from shared.reference import ReferenceBundle

CODES = [organisation.code for organisation in ReferenceBundle.load().organisations]


async def _import(service, content: bytes, **params):
    return await service.client.post(
        "/watchers/import",
        files={"file": ("watchers.csv", content, "text/csv")},
        params=params,
        headers=service.token("d-1", "dispatcher"),
    )


async def test_importing_1396_rows_reports_the_rejects_exactly_and_registers_the_rest_with_one_event_each(
    watcher_service, watcher_published, admin_db
):
    text, expected = sample_watchers_csv(CODES, 1396)
    started = time.perf_counter()
    answer = await _import(watcher_service, text.encode())
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    report = answer.json()
    print(f"imported {report['imported']} watchers in {elapsed:.2f}s")

    assert [(r["row"], r["field"], r["reason"]) for r in report["rejects"]] == [
        (e.row, e.field, e.reason) for e in expected
    ]
    assert (report["rows"], report["rejected"], report["imported"]) == (1396, 6, 1390)
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.watchers WHERE active") == 1390
    imported_ids = {w["watcher_id"] for w in report["watchers"]}
    assert {w["row"] for w in report["watchers"]}.isdisjoint(e.row for e in expected)

    published = await watcher_published()
    registered = [data["watcher_id"] for kind, data in published if kind == "watcher.registered"]
    assert len(registered) == 1390 and set(registered) == imported_ids
    phones = {r["phone"] for r in await admin_db.fetch("SELECT phone FROM patrol.watchers")}
    outbox = await admin_db.fetchval(
        "SELECT string_agg(data::text, ' ') FROM patrol.outbox WHERE event_type = 'watcher.registered'"
    )
    assert not any(phone in outbox for phone in phones), "no phone travels in clear"


async def test_a_dry_run_reports_the_same_rejects_and_writes_nothing(watcher_service, admin_db):
    text, expected = sample_watchers_csv(CODES, 200, seed=7)
    events_before = await admin_db.fetchval("SELECT count(*) FROM patrol.outbox")
    answer = await _import(watcher_service, text.encode(), dry_run="true")
    report = answer.json()
    assert answer.status_code == 200 and report["dry_run"] is True
    assert [(r["row"], r["reason"]) for r in report["rejects"]] == [(e.row, e.reason) for e in expected]
    assert (report["accepted"], report["imported"]) == (194, 0)
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.watchers") == 0
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.outbox") == events_before


async def test_importing_the_same_file_twice_registers_nobody_the_second_time(watcher_service, admin_db):
    text, _ = sample_watchers_csv(CODES, 80, seed=11, bad=False)
    first = (await _import(watcher_service, text.encode())).json()
    second = (await _import(watcher_service, text.encode())).json()
    assert (first["imported"], second["imported"]) == (80, 0)
    assert {r["reason"] for r in second["rejects"]} == {"already_registered"}
    assert second["rejected"] == 80
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.watchers") == 80


async def test_a_file_that_is_not_text_or_lacks_a_column_is_a_422_naming_the_file(watcher_service):
    binary = await _import(watcher_service, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    no_phone = await _import(watcher_service, b"display_name,community\nMa,WG-TJ\n")
    for answer in (binary, no_phone):
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["loc"] == ["body", "file"]
    assert "phone" in no_phone.json()["errors"][0]["reason"]


async def test_a_sheet_saved_by_a_chinese_excel_in_gbk_imports(watcher_service, admin_db):
    sheet = "姓名,手机号,社区\n马建国,13912345670,团结社区\n王秀兰,13912345671,荣乐社区\n"
    answer = await _import(watcher_service, sheet.encode("gbk"))
    assert answer.status_code == 200, answer.text
    assert (answer.json()["imported"], answer.json()["rejected"]) == (2, 0)
    names = await admin_db.fetch(
        "SELECT display_name, community_code FROM patrol.watchers WHERE display_name = ANY($1)",
        ["马建国", "王秀兰"],
    )
    assert {(row["display_name"], row["community_code"]) for row in names} == {
        ("王秀兰", "WG-RL"),
        ("马建国", "WG-TJ"),
    }
