"""A dispatcher of one community sees that community's cases only, whatever the board's filters ask."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.console.conftest import make_account, sign_in
from tests.integration.dispatch.helpers import a_report, case_of, deliver


def reports_now():
    """One report in Tuanjie community and one in Rongle, made now (not overdue: the sweeper leaves them be)."""
    now = datetime.now(UTC)
    return (
        a_report(community_code="WG-TJ", reported_at=now),
        a_report(community_code="WG-RL", with_location=False, reported_at=now),
    )


async def test_a_community_dispatchers_board_and_case_pages_leave_out_other_communities(
    console, console_pool, dispatch_pool, dispatch_context
):
    ours, theirs = reports_now()
    for report in (ours, theirs):
        await deliver(dispatch_pool, dispatch_context, report)
    our_case, their_case = await case_of(dispatch_pool, ours), await case_of(dispatch_pool, theirs)
    assert their_case["community_code"] == "WG-RL"
    await make_account(console_pool, "tj-desk", "dispatcher", community_code="WG-TJ")
    await sign_in(console, "tj-desk")

    for query in ("", "?community_code=WG-RL", "?street_code=WG"):
        board = await console.get(f"/desk/board{query}")
        assert board.status_code == 200
        assert str(our_case["case_id"]) in board.text or query == "?community_code=WG-RL"
        assert str(their_case["case_id"]) not in board.text, query
    assert (await console.get(f"/desk/cases/{our_case['case_id']}")).status_code == 200
    assert (await console.get(f"/desk/cases/{their_case['case_id']}")).status_code == 404


async def test_a_district_dispatcher_sees_every_community(
    console, console_pool, dispatch_pool, dispatch_context
):
    ours, theirs = reports_now()
    for report in (ours, theirs):
        await deliver(dispatch_pool, dispatch_context, report)
    await make_account(console_pool, "district-desk", "dispatcher")
    await sign_in(console, "district-desk")
    board = await console.get("/desk/board")
    for report in (ours, theirs):
        assert str((await case_of(dispatch_pool, report))["case_id"]) in board.text
