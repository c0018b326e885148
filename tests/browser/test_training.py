"""The training pages in a real Chromium: a secretary joins a full session's waiting list from the calendar, a
trainer records attendance, the reserve pool flags organisations below target, the Cup's scoreboard, the figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import expect

from shared.auth import issue_token
from shared.settings import ServiceSettings
from tests.browser.conftest import make_account, screenshot, signed_in

DESK = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
async def training(system):
    """People, two sessions (one full and to come, one under way), two nominations and a published Cup, made
    through the training API."""
    run = uuid.uuid4().hex[:6]
    names = {"trainer": f"trainer-{run}", "secretary": f"sec-{run}"}
    await make_account(system, names["trainer"], "trainer")
    await make_account(system, names["secretary"], "community_worker", community_code="WG-TJ")
    token = issue_token(ServiceSettings(service_name="test").auth_secret, names["trainer"], ["trainer"])
    now = datetime.now(UTC)
    async with httpx.AsyncClient(
        base_url=system.urls["training"], headers={"Authorization": f"Bearer {token}"}
    ) as api:

        async def post(path: str, body: dict) -> dict:
            response = await api.post(path, json=body)
            assert response.status_code in (200, 201), (path, response.text)
            return response.json()

        people = {
            names["secretary"]: ["secretary", "community_worker"],
            f"p1-{run}": ["secretary"],
            f"p2-{run}": ["secretary"],
            **{f"w{n}-{run}": ["community_worker"] for n in range(3)},
        }
        for person_id, roles in people.items():
            body = {"person_id": person_id, "display_name": person_id, "roles": roles}
            await post("/people", body | {"organisation_code": "WG-TJ"})
        session = {"kind": "salon", "place": "大东区党群服务中心", "topic": "老旧小区改造"}
        full = await post(
            "/sessions",
            session
            | {
                "title": f"书记沙龙 {run}",
                "capacity": 2,
                "starts_at": (now + timedelta(hours=2)).isoformat(),
                "ends_at": (now + timedelta(hours=4)).isoformat(),
            },
        )
        under_way = await post(
            "/sessions",
            session
            | {
                "kind": "lecture_hall",
                "title": f"书记大讲堂 {run}",
                "capacity": 50,
                "starts_at": (now - timedelta(minutes=30)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
        for person in (f"p1-{run}", f"p2-{run}"):
            await post(f"/sessions/{full['session_id']}/enrolments", {"person_id": person})
            await post(f"/sessions/{under_way['session_id']}/enrolments", {"person_id": person})
        for channel, person in (("organisation", f"p1-{run}"), ("masses", f"p2-{run}")):
            body = {
                "person_id": person,
                "organisation_code": "WG-TJ",
                "nominated_by": channel,
                "nominator": "党委",
            }
            await post("/reserve/nominations", body)
        cup = await post("/competitions", {"title": f"社工杯 {run}", "finalists": 2})
        path = f"/competitions/{cup['competition_id']}"
        workers = [f"w{n}-{run}" for n in range(3)]
        for worker in workers:
            await post(f"{path}/contestants", {"person_id": worker})
        scores = [{"person_id": worker, "score": 90 - n} for n, worker in enumerate(workers)]
        await post(f"{path}/preliminary", {"scores": scores})
        for round_ in (1, 2, 3):
            for n, worker in enumerate(workers[:2]):
                await post(f"{path}/scores", {"round": round_, "person_id": worker, "score": 95 - 3 * n})
        await post(f"{path}/publish", {})
        await post("/competitions", {"title": f"第三届社工杯 {run}", "finalists": 20})
    return names | {"full": full["session_id"], "under_way": under_way["session_id"], "run": run}


async def test_a_secretary_joins_the_waiting_list_of_a_full_session_from_the_calendar(
    system, browser, training
):
    context, page = await signed_in(browser, system, training["secretary"], **DESK)
    await page.goto("/training")
    entry = page.locator(f"a.session[href='/training/sessions/{training['full']}']")
    await expect(entry).to_contain_text("2/2")
    await screenshot(page, "training-calendar")
    await entry.click()
    await page.click("form.enrol button[type=submit]")
    await expect(page.locator("p.ok")).to_contain_text("候补")
    await expect(page.locator("ol.waiting")).to_contain_text(training["secretary"])
    await screenshot(page, "training-session-waiting")
    await context.close()


async def test_a_trainer_records_attendance_and_reads_the_pool_the_cup_and_the_figures(
    system, browser, training
):
    context, page = await signed_in(browser, system, training["trainer"], **DESK)
    assert page.url.endswith("/training")
    await page.goto(f"/training/sessions/{training['under_way']}")
    await page.uncheck(f"form.attendance input[type=checkbox][value=p2-{training['run']}]")
    await page.click("form.attendance button[type=submit]")
    await expect(page.locator("p.ok")).to_have_text("考勤已保存")
    await expect(page.locator("main")).to_contain_text("出席 1 人")
    await screenshot(page, "training-attendance")

    await page.goto("/training/reserve?street_code=WG")
    await expect(page.locator("tr.below-target").first).to_be_visible()
    tuanjie = page.locator("table.reserve tbody tr", has_text="团结")
    await expect(tuanjie).not_to_have_class("below-target")
    await screenshot(page, "training-reserve")

    await page.goto("/training/cup")  # every Cup listed; the newest with results shown
    cups = page.locator("table.cups tbody tr", has_text=training["run"])
    await expect(cups).to_have_count(2)
    await expect(cups.first).to_contain_text("报名中")
    board = page.locator("section.cup", has_text=f"社工杯 {training['run']}")
    await expect(board.locator("table.scoreboard tbody tr")).to_have_count(2)
    await expect(board.locator("tbody tr").first).to_contain_text(f"w0-{training['run']}")
    await screenshot(page, "training-cup")
    await cups.first.locator("a").click()
    await expect(page.locator("section.cup h2")).to_have_text(f"第三届社工杯 {training['run']}")
    await expect(page.locator("section.cup")).to_contain_text("报名进行中")
    await screenshot(page, "training-cup-registration")

    await page.goto("/training/figures")
    await expect(page.locator("svg.chart").first).to_be_visible()
    await expect(page.locator("main")).to_contain_text("1,396")
    assert await page.locator("svg.chart").count() >= 5
    await screenshot(page, "training-figures")
    await context.close()
