"""Units and rules: loaded once per bundle version, edited by admins with an audit, obeyed by routing."""

from __future__ import annotations

from services.dispatch.handlers.reference import load_reference
from tests.integration.dispatch.helpers import BUNDLE, a_report, case_of, deliver


async def test_loading_the_same_bundle_version_again_changes_nothing(pool, context):
    units = await pool.fetchval("SELECT count(*) FROM units")
    rules = await pool.fetchval("SELECT count(*) FROM routing_rules")
    assert (units, rules) == (len(BUNDLE.units), len(BUNDLE.routing))
    async with pool.acquire() as conn:
        assert await load_reference(conn, BUNDLE, at=context.clock.now()) is False
    assert await pool.fetchval("SELECT max(rule_id) FROM routing_rules") == rules
    assert await pool.fetchval("SELECT count(*) FROM reference_changes WHERE entity = 'bundle'") == 1


async def test_a_new_bundle_version_replaces_the_rules_and_deactivates_units_it_drops(pool, context):
    newer = BUNDLE.model_copy(
        update={
            "manifest": BUNDLE.manifest.model_copy(update={"version": "next"}),
            "units": [u for u in BUNDLE.units if u.id != "greenery"],
            "routing": [r for r in BUNDLE.routing if r.category != "greenery.*"],
        }
    )
    async with pool.acquire() as conn:
        assert await load_reference(conn, newer, at=context.clock.now()) is True
    assert await pool.fetchval("SELECT active FROM units WHERE id = 'greenery'") is False
    assert await pool.fetchval("SELECT count(*) FROM routing_rules") == len(BUNDLE.routing) - 1
    report = a_report("greenery.dead-branch")
    await deliver(pool, context, report)
    assert (await case_of(pool, report))["unit_id"] == "WG-office"


async def test_an_admin_rule_for_one_community_wins_and_every_change_is_audited(pool, context, client, token):
    admin = token("a-1", "admin")
    rule = {
        "category": "greenery.dead-branch",
        "scope": "community",
        "scope_code": "WG-TJ",
        "unit_id": "WG-TJ-property",
    }
    created = await client.post("/admin/routing-rules", headers=admin, json=rule)
    assert created.status_code == 201, created.text
    report = a_report("greenery.dead-branch")
    await deliver(pool, context, report)
    case = await case_of(pool, report)
    assert case["unit_id"] == "WG-TJ-property"
    assert f"rule #{created.json()['rule_id']}" in case["routing_reason"]

    changed = await client.put(
        f"/admin/routing-rules/{created.json()['rule_id']}", headers=admin, json={**rule, "priority": 5}
    )
    assert changed.json()["priority"] == 5
    assert (await client.put("/admin/units/WG-TJ-property/members/h-1", headers=admin)).status_code == 204
    assert (
        await client.delete(f"/admin/routing-rules/{created.json()['rule_id']}", headers=admin)
    ).status_code == 204
    audit = (await client.get("/admin/changes", headers=admin)).json()["items"]
    assert [(c["entity"], c["changed_by"]) for c in audit[:4]] == [
        ("rule", "a-1"),
        ("member", "a-1"),
        ("rule", "a-1"),
        ("rule", "a-1"),
    ]
    assert audit[0]["before"]["priority"] == 5 and audit[0]["after"] is None
    assert audit[2]["before"]["priority"] == 0 and audit[2]["after"]["priority"] == 5
    assert audit[3]["before"] is None and audit[3]["after"]["unit_id"] == "WG-TJ-property"


async def test_admin_endpoints_refuse_others_and_name_the_wrong_field(pool, client, token):
    admin = token("a-1", "admin")
    rule = {"category": "fire.*", "scope": "district", "scope_code": None, "unit_id": "nowhere"}
    assert (
        await client.post("/admin/routing-rules", headers=token("d-1", "dispatcher"), json=rule)
    ).status_code == 403
    unknown = await client.post("/admin/routing-rules", headers=admin, json=rule)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "unit_id"
    both = await client.post("/admin/routing-rules", headers=admin, json={**rule, "unit_kind": "greenery"})
    assert both.status_code == 422
    unit = await client.put(
        "/admin/units/WG-new", headers=admin, json={"kind": "castle", "name_zh": "x", "name_en": "x"}
    )
    assert unit.status_code == 422 and unit.json()["errors"][0]["loc"] == ["body", "kind"]
    saved = await client.put(
        "/admin/units/WG-TJ-property",
        headers=admin,
        json={
            "kind": "property_company",
            "name_zh": "新物业",
            "name_en": "New property",
            "street_code": "WG",
            "community_code": "WG-TJ",
        },
    )
    assert saved.json()["name_zh"] == "新物业"
    [change] = [c for c in (await client.get("/admin/changes?entity=unit", headers=admin)).json()["items"]]
    assert change["before"]["name_zh"] != "新物业" and change["after"]["name_zh"] == "新物业"
