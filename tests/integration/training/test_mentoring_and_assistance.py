"""Mentor studios and pairings; targeted help for a weak community followed up to its close."""

from __future__ import annotations


async def test_a_studio_pairs_a_mentor_with_a_mentee_and_keeps_progress_notes(api):
    await api.person("mentor", ["secretary", "mentor"], "WG-RL")
    await api.person("mentee", ["secretary"], "WG-TJ")
    refused = await api.post("/studios", {"name": "工作室", "lead_mentor_id": "mentee"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "lead_mentor_id"
    studio = (
        await api.post("/studios", {"name": "尹雪松书记工作室", "lead_mentor_id": "mentor"}, expect=201)
    ).json()
    pairing_body = {
        "studio_id": studio["studio_id"], "mentor_id": "mentor", "mentee_id": "mentee",
        "started_on": "2026-03-01", "goals": "掌握精准助残服务方法",
    }  # fmt: skip
    pairing = (await api.post("/pairings", pairing_body, expect=201)).json()["pairing_id"]
    again = await api.post("/pairings", pairing_body)
    assert again.status_code == 409 and again.json()["field"] == "mentee_id"
    await api.post(
        f"/pairings/{pairing}/notes", {"noted_on": "2026-03-15", "progress": "独立走访10户"}, expect=204
    )
    assert (await api.get("/studios"))[0]["active_pairings"] == 1
    assert (await api.get("/statistics"))["mentoring"]["active_pairings"] == 1

    early = await api.post(f"/pairings/{pairing}/end", {"ended_on": "2026-02-01"})
    assert early.status_code == 409 and early.json()["field"] == "ended_on"
    await api.post(f"/pairings/{pairing}/end", {"ended_on": "2026-09-01"}, expect=204)
    view = await api.get(f"/pairings/{pairing}")
    assert (view["active"], [n["progress"] for n in view["notes"]]) == (False, ["独立走访10户"])
    assert (await api.get("/statistics"))["mentoring"]["active_pairings"] == 0
    record = await api.get("/people/mentee/record")
    assert [p["pairing_id"] for p in record["mentor_pairings"]] == [pairing]


async def test_a_weak_community_is_helped_by_an_excellent_secretary_and_followed_up_to_the_close(api):
    await api.person("helper", ["secretary"], "WG-RL")
    await api.person("worker", ["community_worker"], "WG-RL")
    not_secretary = await api.post(
        "/assistance", {"organisation_code": "WG-BY", "area": "经费管理", "helper_id": "worker"}
    )
    assert not_secretary.status_code == 422 and not_secretary.json()["errors"][0]["field"] == "helper_id"
    opened = await api.post(
        "/assistance", {"organisation_code": "WG-BY", "area": "经费管理", "helper_id": "helper"}
    )
    assert opened.status_code == 201, opened.text
    help_id = opened.json()["assistance_id"]
    [beiyuan] = [o for o in await api.get("/organisations", street_code="WG") if o["code"] == "WG-BY"]
    assert beiyuan["weak_areas"] == ["经费管理"]

    too_soon = await api.post(f"/assistance/{help_id}/followups", {"noted_on": "2026-04-10", "note": "复查"})
    assert too_soon.status_code == 409 and too_soon.json()["field"] == "guidance"
    closing_early = await api.post(f"/assistance/{help_id}/close")
    assert closing_early.status_code == 409 and "open" in closing_early.json()["detail"]
    visit = {"analysis": "经费台账不清", "guidance": "建立经费使用台账，每月公示"}
    other = await api.post(f"/assistance/{help_id}/visit", visit, headers=api.as_worker("worker"))
    # help sent to another community is not this secretary's to know of
    assert other.status_code == 404 and other.json()["field"] == "assistance_id"
    await api.post(f"/assistance/{help_id}/visit", visit, headers=api.as_worker("helper"), expect=200)
    followed = await api.post(
        f"/assistance/{help_id}/followups", {"noted_on": "2026-05-10", "note": "台账已建立"}
    )
    assert followed.json()["status"] == "followed_up"
    closed = await api.post(f"/assistance/{help_id}/close", expect=200)
    assert (closed.json()["status"], len(closed.json()["followups"])) == ("closed", 1)
    [beiyuan] = [o for o in await api.get("/organisations", street_code="WG") if o["code"] == "WG-BY"]
    assert beiyuan["weak_areas"] == []
