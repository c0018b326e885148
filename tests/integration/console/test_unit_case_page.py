"""A unit's handler works a case from its own page; a handler of another unit neither sees nor moves it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.console.conftest import csrf_of, make_account, sign_in
from tests.integration.dispatch.helpers import a_report, case_of, deliver


async def _case(dispatch_pool, dispatch_context):
    report = a_report(community_code="WG-TJ", reported_at=datetime.now(UTC))
    await deliver(dispatch_pool, dispatch_context, report)
    return await case_of(dispatch_pool, report)


async def test_the_units_handler_accepts_starts_and_resolves_from_the_case_page_with_errors_by_their_field(
    console, console_pool, dispatch_pool, dispatch_context
):
    case = await _case(dispatch_pool, dispatch_context)
    await make_account(console_pool, "tj-property", "handler", unit_id=case["unit_id"])
    await sign_in(console, "tj-property")
    path = f"/inbox/cases/{case['case_id']}"

    inbox = await console.get("/inbox/cases")
    assert case["case_number"] in inbox.text and f'href="{path}"' in inbox.text
    page = await console.get(path)
    assert page.status_code == 200
    assert case["case_number"] in page.text and 'action="' + path + '/accept"' in page.text

    for action in ("accept", "start"):
        done = await console.post(f"{path}/{action}", data={"csrf_token": csrf_of(page)})
        assert (done.status_code, done.headers["location"]) == (303, f"{path}?done={action}")
    refused = await console.post(f"{path}/resolve", data={"csrf_token": csrf_of(page), "note": ""})
    assert refused.status_code == 422
    assert 'data-for="note">' in refused.text and 'data-for="note"></span>' not in refused.text
    assert await dispatch_pool.fetchval("SELECT status FROM cases WHERE case_id = $1", case["case_id"]) == (
        "in_progress"
    )

    note = "纸箱已清理，已向住户说明消防要求"
    resolved = await console.post(f"{path}/resolve", data={"csrf_token": csrf_of(page), "note": note})
    assert resolved.status_code == 303
    after = await console.get(path)
    assert note in after.text and 'action="' + path + '/resolve"' not in after.text
    row = await dispatch_pool.fetchrow(
        "SELECT status, resolution_note FROM cases WHERE case_id = $1", case["case_id"]
    )
    assert (row["status"], row["resolution_note"]) == ("resolved", note)


async def test_a_handler_of_another_unit_gets_404_for_the_case_and_cannot_act_on_it(
    console, console_pool, dispatch_pool, dispatch_context
):
    case = await _case(dispatch_pool, dispatch_context)
    other_unit = "WG-office" if case["unit_id"] != "WG-office" else "WG-TJ-property"
    await make_account(console_pool, "other-unit", "handler", unit_id=other_unit)
    await sign_in(console, "other-unit")
    path = f"/inbox/cases/{case['case_id']}"

    inbox = await console.get("/inbox/cases")
    assert str(case["case_id"]) not in inbox.text and case["case_number"] not in inbox.text
    page = await console.get(path)
    assert page.status_code == 404
    assert case["case_number"] not in page.text
    form = await console.get("/inbox")
    refused = await console.post(f"{path}/accept", data={"csrf_token": csrf_of(form)})
    assert refused.status_code == 404
    assert await dispatch_pool.fetchval("SELECT status FROM cases WHERE case_id = $1", case["case_id"]) == (
        "assigned"
    )
