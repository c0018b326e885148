"""The article's story in a real Chromium: Old Ma reports from his phone, the dispatcher sees it live, the unit
fixes it, Old Ma verifies, the case closes; and a report made with no network is sent once when it returns."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image
from playwright.async_api import expect

from shared.auth import issue_token
from shared.settings import ServiceSettings
from tests.browser.conftest import PASSWORD, elsewhere, make_account, screenshot, signed_in

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 860}}
# Sister Wang's balcony in Tuanjie community (inside its grid cells in the sample bundle).
BALCONY = {"latitude": 41.7863, "longitude": 123.4586}
SERVICE_UNIT = "WG-TJ-property"
CASE_NUMBER = re.compile(r"DD-\d{4}-\d{6}")


def photo_file(name: str = "balcony.jpg", colour: tuple[int, int, int] = (180, 60, 40)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture(scope="module")
async def people(system, browser):
    run = uuid.uuid4().hex[:6]
    names = {"admin": f"admin-{run}", "oldma": f"oldma-{run}", "desk": f"desk-{run}", "unit": f"prop-{run}"}
    await make_account(system, names["admin"], "admin")
    await make_account(system, names["oldma"], "watcher", community_code="WG-TJ")
    await make_account(system, names["desk"], "dispatcher")
    return names


async def test_the_whole_story_from_old_mas_phone_to_the_closed_case(system, browser, people):
    # The admin creates the handler's account on the accounts page; the console makes them a member of the unit.
    admin, admin_page = await signed_in(browser, system, people["admin"], **DESK)
    await admin_page.goto("/admin/accounts")
    await admin_page.fill("form.account-form input[name=username]", people["unit"])
    await admin_page.fill("form.account-form input[name=password]", PASSWORD)
    await admin_page.fill("form.account-form input[name=display_name]", "团结物业 张师傅")
    await admin_page.check("form.account-form input[name=roles][value=handler]")
    await admin_page.select_option("form.account-form select[name=unit_id]", SERVICE_UNIT)
    await admin_page.click("form.account-form button[type=submit]")
    await expect(admin_page.locator("p.ok")).to_contain_text(people["unit"])
    await expect(admin_page.locator("p.error")).to_have_count(0)
    await screenshot(admin_page, "admin-accounts")

    desk, board = await signed_in(browser, system, people["desk"], **DESK)
    assert board.url.endswith("/desk")
    await expect(board.locator("#board")).not_to_contain_text("…")

    phone, watcher = await signed_in(
        browser, system, people["oldma"], **PHONE, geolocation=BALCONY, permissions=["geolocation"]
    )
    assert watcher.url.endswith("/watcher")
    await expect(watcher.locator("#location-state")).to_have_text("已获取手机位置")
    await screenshot(watcher, "watcher-form")
    await watcher.select_option("select[name=category]", "fire.balcony-storage")
    await watcher.set_input_files("input[name=photos]", [photo_file()])
    description = f"王大姐家阳台堆放大量纸箱 {uuid.uuid4().hex[:4]}"
    await watcher.fill("textarea[name=description]", description)
    await watcher.click("#report-form button[type=submit]")
    await expect(watcher.locator("#report-outcome")).to_have_text("已提交")
    sent = time.monotonic()

    # The dispatcher's open board shows the new case, by its number, without a reload.
    row = board.locator("tr.case:has(a[data-category='fire.balcony-storage'])")
    await expect(row).to_be_visible(timeout=2000)
    print(f"report sent → on the dispatcher's board: {time.monotonic() - sent:.2f} s")
    number = await row.locator(".case-number").inner_text()
    assert CASE_NUMBER.fullmatch(number), number
    await expect(row).to_contain_text("阳台堆放杂物")
    await screenshot(board, "desk-board")
    await row.locator("a.open-case").click()
    await expect(board.locator("#case img.thumb")).to_have_count(1)
    await expect(board.locator("#case h1")).to_contain_text(number)
    await expect(board.locator("#case")).to_contain_text(description)
    await screenshot(board, "desk-case")
    await board.goto("/desk/map")
    await expect(board.locator(f"svg.map circle.pin[data-case-number='{number}']")).to_have_count(1)
    await expect(board.locator("ul.pin-list")).to_contain_text(number)
    await screenshot(board, "desk-map")

    # The unit's handler opens the case from the inbox, accepts, starts, and resolves it with a note and a photo.
    unit, inbox = await signed_in(browser, system, people["unit"], **PHONE)
    listed = inbox.locator("li.case[data-category='fire.balcony-storage']")
    await expect(listed).to_contain_text(number)
    await screenshot(inbox, "unit-inbox")
    await listed.locator("a.open-case").click()
    case = inbox.locator("#case")
    await expect(case.locator("h1")).to_contain_text(number)
    await expect(case.locator("img.thumb")).to_have_count(1)
    await expect(case.locator("ol.timeline li")).not_to_have_count(0)
    await expect(case.locator(".countdown")).to_be_visible()
    await screenshot(inbox, "unit-case")
    await case.locator("button.accept").click()
    await expect(case).to_have_attribute("data-status", "accepted")
    await case.locator("button.start").click()
    await expect(case).to_have_attribute("data-status", "in_progress")
    await case.locator("form.resolve button").click()  # no note: refused, next to the field
    await expect(case.locator(".field-error[data-for=note]")).not_to_be_empty()
    await screenshot(inbox, "unit-case-field-error")
    await case.locator("form.resolve textarea[name=note]").fill("纸箱已清理，已向住户说明消防要求")
    await case.locator("form.resolve input[name=photo]").set_input_files(
        [photo_file("after.jpg", (60, 140, 60))]
    )
    await case.locator("form.resolve button").click()
    await expect(case).to_have_attribute("data-status", "resolved")
    await expect(case.locator(".resolution img.thumb")).to_have_count(1)
    assert await case.locator(".resolution img.thumb").evaluate("img => img.naturalWidth") > 0
    await screenshot(inbox, "unit-case-resolved")

    # Old Ma's page shows it resolved (live), by its case number, he verifies, and the case closes.
    mine = watcher.locator("li.report", has_text=description)
    await expect(mine).to_have_attribute("data-status", "resolved", timeout=10000)
    await expect(mine).to_contain_text(number)
    await screenshot(watcher, "watcher-resolved")
    await mine.locator("button.verify").click()
    await expect(watcher.locator("p.ok")).to_be_visible()
    await expect(watcher.locator("li.report", has_text=description)).to_have_attribute(
        "data-status", "closed", timeout=10000
    )
    await screenshot(watcher, "watcher-closed")
    for context in (admin, desk, phone, unit):
        assert elsewhere(context, system) == []
        await context.close()


async def test_a_report_made_offline_is_kept_on_the_phone_and_sent_once_when_the_network_returns(
    system, browser, people
):
    phone, watcher = await signed_in(
        browser, system, people["oldma"], **PHONE, geolocation=BALCONY, permissions=["geolocation"]
    )
    await expect(watcher.locator("#location-state")).to_have_text("已获取手机位置")
    await phone.set_offline(True)
    description = f"井盖边缘出现裂缝 {uuid.uuid4().hex[:4]}"
    await watcher.select_option("select[name=category]", "facilities.manhole-cover")
    await watcher.select_option("select[name='attribute[cover_state]']", "cracked")
    await watcher.fill("textarea[name=description]", description)
    await watcher.click("#report-form button[type=submit]")
    await expect(watcher.locator("#report-outcome")).to_have_text(
        "网络不可用，已保存在手机上，联网后自动提交"
    )
    await expect(watcher.locator("#pending-count")).to_have_text("1")
    await screenshot(watcher, "watcher-offline")

    await phone.set_offline(False)
    await expect(watcher.locator("#pending")).to_be_hidden(timeout=10000)
    await expect(watcher.locator("li.report", has_text=description)).to_have_count(1, timeout=10000)
    await watcher.reload()  # a page opened again sends nothing twice
    await expect(watcher.locator("#pending")).to_be_hidden()
    await screenshot(watcher, "watcher-sent-after-offline")

    token = issue_token(ServiceSettings(service_name="test").auth_secret, people["oldma"], ["watcher"])
    async with httpx.AsyncClient() as client:
        mine = (
            await client.get(
                f"{system.urls['patrol']}/me/reports", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()["items"]
    assert [report["description"] for report in mine].count(description) == 1
    assert elsewhere(phone, system) == []
    await phone.close()


async def test_the_docs_the_community_import_and_english_come_from_the_console_itself(
    system, browser, people
):
    admin, page = await signed_in(browser, system, people["admin"], **DESK)
    await page.goto("/docs/dispatch")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("grassroots dispatch")
    await screenshot(page, "docs-dispatch")

    await page.goto("/community")
    csv = "姓名,手机号,社区\n张三,13912345678,WG-TJ\n李四,12345,WG-TJ\n王五,13987654321,nowhere\n"
    await page.set_input_files(
        "input[name=file]", {"name": "watchers.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    await page.click("form[hx-post='/community/import'] button")
    rejects = page.locator("table.rejects tbody tr")
    await expect(rejects).to_have_count(2)
    await expect(rejects.nth(0)).to_contain_text("3")
    await expect(rejects.nth(0)).to_contain_text("phone")
    await expect(rejects.nth(1)).to_contain_text("community")
    await screenshot(page, "community-import")

    await page.click("text=English")
    await expect(page.locator("header.top nav")).to_contain_text("Accounts")
    await page.goto("/desk")
    await expect(page.locator("h1")).to_have_text("Dispatcher desk")
    assert elsewhere(admin, system) == []
    await admin.close()


async def test_without_the_phones_location_the_watcher_picks_the_community_and_errors_show_by_their_field(
    system, browser, people
):
    phone, watcher = await signed_in(browser, system, people["oldma"], **PHONE)  # geolocation not granted
    await expect(watcher.locator("#community-picker")).to_be_visible()
    await watcher.select_option("select[name=category]", "greenery.dead-branch")
    await watcher.click("#report-form button[type=submit]")  # no description
    await expect(watcher.locator(".field-error[data-for=description]")).not_to_be_empty()
    await expect(watcher.locator("textarea[name=description]")).to_have_attribute("aria-invalid", "true")
    await screenshot(watcher, "watcher-field-error")

    description = f"树木枯枝摇摇欲坠 {uuid.uuid4().hex[:4]}"
    await watcher.select_option("select[name=address]", "荣乐社区")
    await watcher.fill("textarea[name=description]", description)
    await watcher.click("#report-form button[type=submit]")
    await expect(watcher.locator("#report-outcome")).to_have_text("已提交")
    await expect(watcher.locator(".field-error[data-for=description]")).to_be_empty()
    token = issue_token(ServiceSettings(service_name="test").auth_secret, people["oldma"], ["watcher"])
    async with httpx.AsyncClient() as client:
        mine = (
            await client.get(
                f"{system.urls['patrol']}/me/reports", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()["items"]
    assert [r["community_code"] for r in mine if r["description"] == description] == ["WG-RL"]
    await phone.close()


async def test_a_handler_of_another_unit_and_a_dispatcher_of_another_community_are_refused_the_case(
    system, browser, people
):
    secret = ServiceSettings(service_name="test").auth_secret
    watcher = {"Authorization": f"Bearer {issue_token(secret, people['oldma'], ['watcher'])}"}
    description = f"楼道堆放杂物 {uuid.uuid4().hex[:4]}"
    form = {
        "category": "fire.balcony-storage",
        "description": description,
        "lat": "41.7863",
        "lon": "123.4586",
    }
    async with httpx.AsyncClient(base_url=system.urls["patrol"], headers=watcher) as patrol:
        report = (await patrol.post("/reports", data=form)).json()
        for _ in range(300):  # patrol learns the case from dispatch.assigned
            seen = (await patrol.get(f"/reports/{report['report_id']}")).json()
            if seen["case_id"]:
                break
            await asyncio.sleep(0.1)
    case_id = seen["case_id"]
    assert case_id, f"no case was opened for the report: {seen}"

    stranger = f"rl-prop-{uuid.uuid4().hex[:6]}"
    await make_account(system, stranger, "handler", unit_id="WG-RL-property")
    context, page = await signed_in(browser, system, stranger, **PHONE)
    await expect(page.locator("#inbox")).not_to_contain_text("…")
    assert await page.locator(f"li.case[data-case-id='{case_id}']").count() == 0
    answer = await page.goto(f"/inbox/cases/{case_id}")
    assert answer is not None and answer.status == 404
    await expect(page.locator("p.error")).to_contain_text("不在您的职责范围内")
    await expect(page.locator("main")).not_to_contain_text(description)
    await screenshot(page, "unit-case-refused")
    await context.close()

    # Nor does a dispatcher of another community, on any of the desk's pages.
    rongle = f"rl-desk-{uuid.uuid4().hex[:6]}"
    await make_account(system, rongle, "dispatcher", community_code="WG-RL")
    context, page = await signed_in(browser, system, rongle, **DESK)
    await page.goto("/desk?community_code=WG-TJ&status=assigned")
    await expect(page.locator("#board")).not_to_contain_text("…")
    assert await page.locator(f"tr.case[data-case-id='{case_id}']").count() == 0
    await page.goto("/desk/map")
    await expect(page.locator("#map svg.map")).to_be_visible()
    assert await page.locator(f"a[href='/desk/cases/{case_id}']").count() == 0
    answer = await page.goto(f"/desk/cases/{case_id}")
    assert answer is not None and answer.status == 404
    await expect(page.locator("main")).not_to_contain_text(description)
    await context.close()


async def test_a_watcher_patrols_on_todays_shift_and_the_community_worker_sees_it_on_the_roster(
    system, browser, people
):
    secret = ServiceSettings(service_name="test").auth_secret
    worker = f"tj-worker-{uuid.uuid4().hex[:6]}"
    planner = {
        "Authorization": f"Bearer {issue_token(secret, worker, ['community_worker'], community_code='WG-TJ')}"
    }
    now = datetime.now(UTC)
    async with httpx.AsyncClient(base_url=system.urls["patrol"], headers=planner) as patrol:
        phone_number = f"139{uuid.uuid4().int % 10**8:08d}"
        registered = await patrol.post(
            "/watchers", json={"display_name": "老马", "phone": phone_number, "community_code": "WG-TJ"}
        )
        assert registered.status_code == 201, registered.text
        watcher_id = registered.json()["watcher_id"]
        shift = {
            "watcher_id": watcher_id,
            "starts_at": (now + timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(minutes=40)).isoformat(),
        }
        assert (await patrol.post("/shifts", json=shift)).status_code == 201
    await make_account(system, watcher_id, "watcher", community_code="WG-TJ")
    await make_account(system, worker, "community_worker", community_code="WG-TJ")

    phone, page = await signed_in(
        browser, system, watcher_id, **PHONE, geolocation=BALCONY, permissions=["geolocation"]
    )
    await expect(page.locator("#duty li.shift")).to_have_count(1)
    await expect(page.locator("#location-state")).to_have_text("已获取手机位置")
    await page.click("form.start-patrol button")
    await expect(page.locator("#duty p.patrolling")).to_be_visible()
    await screenshot(page, "watcher-duty")
    await page.click("form.end-patrol button")
    await expect(page.locator("form.start-patrol button")).to_be_visible()
    own = {"Authorization": f"Bearer {issue_token(secret, watcher_id, ['watcher'])}"}
    async with httpx.AsyncClient(base_url=system.urls["patrol"], headers=own) as patrol:
        [patrolled] = (await patrol.get("/me/patrols")).json()
    assert patrolled["ended_at"] is not None
    assert abs(patrolled["start_lat"] - BALCONY["latitude"]) < 1e-4
    await phone.close()

    desk, roster = await signed_in(browser, system, worker, **DESK)
    await roster.goto("/community")
    await expect(roster.locator("h1")).to_contain_text("团结社区")
    await roster.goto("/community/roster")
    await expect(roster.locator("table.roster span.shift", has_text="老马")).to_have_count(1)
    await screenshot(roster, "community-roster")
    await desk.close()
