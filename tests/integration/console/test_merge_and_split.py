"""A dispatcher folds one case into another from its page, and takes the report out again into a case of its own."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.console.conftest import csrf_of, make_account, sign_in
from tests.integration.dispatch.helpers import a_report, case_of, deliver


async def test_a_dispatcher_merges_a_case_into_another_and_splits_the_report_out_again(
    console, console_pool, dispatch_pool, dispatch_context
):
    now = datetime.now(UTC)
    first = a_report("fire.balcony-storage", reported_at=now)
    second = a_report("greenery.dead-branch", reported_at=now, north_m=300)
    for report in (first, second):
        await deliver(dispatch_pool, dispatch_context, report)
    kept, folded = await case_of(dispatch_pool, first), await case_of(dispatch_pool, second)
    assert kept["case_id"] != folded["case_id"]
    await make_account(console_pool, "wg-desk", "dispatcher")
    await sign_in(console, "wg-desk")

    page = await console.get(f"/desk/cases/{folded['case_id']}")
    assert f'<option value="{kept["case_id"]}"' in page.text and kept["case_number"] in page.text
    nothing = await console.post(f"/desk/cases/{folded['case_id']}/merge", data={"csrf_token": csrf_of(page)})
    assert nothing.status_code == 422 and 'data-for="into_case_id">请选择' in nothing.text
    merged = await console.post(
        f"/desk/cases/{folded['case_id']}/merge",
        data={"csrf_token": csrf_of(page), "into_case_id": str(kept["case_id"])},
    )
    assert merged.headers["HX-Redirect"] == f"/desk/cases/{kept['case_id']}"
    status = "SELECT status FROM cases WHERE case_id = $1"
    assert await dispatch_pool.fetchval(status, folded["case_id"]) == "merged"

    target = await console.get(f"/desk/cases/{kept['case_id']}")
    assert f'name="report_id" value="{second.report_id}"' in target.text
    assert (
        f'name="report_id" value="{first.report_id}"' not in target.text
    )  # the one that opened the case stays
    split = await console.post(
        f"/desk/cases/{kept['case_id']}/split",
        data={"csrf_token": csrf_of(target), "report_id": str(second.report_id)},
    )
    assert split.status_code == 200
    new_case = await case_of(dispatch_pool, second)
    assert new_case["case_id"] not in (kept["case_id"], folded["case_id"])
    assert f"已拆分为新案件 {new_case['case_number']}" in split.text
