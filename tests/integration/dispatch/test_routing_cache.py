"""Routing keeps units and rules in memory: the process's own changes apply to the next report, other
replicas' changes once the kept copy is older than `ROUTING_CACHE_SECONDS`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.dispatch.context import DispatchContext, DispatchSettings
from services.dispatch.domain.errors import ReferenceNotLoaded
from services.dispatch.handlers.reference import create_rule, load_reference
from shared.reference import RoutingRule
from tests.integration.dispatch.helpers import BUNDLE, a_report, case_of, deliver

# Dead branches in Tuanjie go to `greenery` by the sample rules; this rule sends them to the property company.
TO_THE_PROPERTY_COMPANY = RoutingRule(
    category="greenery.dead-branch", scope="community", scope_code="WG-TJ", unit_id="WG-TJ-property"
)
_north = iter(range(0, 100_000, 200))  # reports 200 m apart never merge


async def _routed_to(pool, context: DispatchContext) -> str:
    report = a_report("greenery.dead-branch", north_m=next(_north))
    await deliver(pool, context, report)
    return (await case_of(pool, report))["unit_id"]


async def _insert_behind_the_process(pool, rule: RoutingRule) -> None:
    """What another replica's admin edit looks like from here: rows change, this process is not told."""
    await pool.execute(
        "INSERT INTO routing_rules (category, scope, scope_code, unit_id) VALUES ($1, $2, $3, $4)",
        rule.category,
        rule.scope,
        rule.scope_code,
        rule.unit_id,
    )


async def test_an_admin_edit_of_a_rule_or_a_unit_routes_the_very_next_report(pool, context, client, token):
    admin = token("a-1", "admin")
    assert await _routed_to(pool, context) == "greenery"  # the rules are kept in memory from here on

    created = await client.post(
        "/admin/routing-rules", headers=admin, json=TO_THE_PROPERTY_COMPANY.model_dump()
    )
    assert created.status_code == 201, created.text
    assert await _routed_to(pool, context) == "WG-TJ-property"

    property_company = {
        "kind": "property_company",
        "name_zh": "物业",
        "name_en": "Property",
        "street_code": "WG",
        "community_code": "WG-TJ",
        "active": False,
    }
    deactivated = await client.put("/admin/units/WG-TJ-property", headers=admin, json=property_company)
    assert deactivated.status_code == 200, deactivated.text
    assert await _routed_to(pool, context) == "greenery"  # the rule names an inactive unit: skipped

    assert (
        await client.put(
            "/admin/units/WG-TJ-property", headers=admin, json={**property_company, "active": True}
        )
    ).status_code == 200
    assert await _routed_to(pool, context) == "WG-TJ-property"
    rule_id = created.json()["rule_id"]
    assert (await client.delete(f"/admin/routing-rules/{rule_id}", headers=admin)).status_code == 204
    assert await _routed_to(pool, context) == "greenery"


async def test_a_change_made_behind_the_process_is_seen_once_the_kept_copy_is_older_than_the_ttl(
    pool, context, clock
):
    assert await _routed_to(pool, context) == "greenery"
    await _insert_behind_the_process(pool, TO_THE_PROPERTY_COMPANY)
    ttl = timedelta(seconds=context.settings.routing_cache_seconds)
    assert ttl == timedelta(seconds=5), "the default"

    clock.advance(ttl - timedelta(milliseconds=1))
    assert await _routed_to(pool, context) == "greenery"
    clock.advance(timedelta(milliseconds=1))
    assert await _routed_to(pool, context) == "WG-TJ-property"


async def test_with_a_ttl_of_zero_every_report_reads_the_rules(pool, clock):
    settings = DispatchSettings(
        service_name="dispatch", load_reference_on_start=False, routing_cache_seconds=0
    )
    context = DispatchContext(settings=settings, clock=clock, bundle=BUNDLE)
    assert await _routed_to(pool, context) == "greenery"
    await _insert_behind_the_process(pool, TO_THE_PROPERTY_COMPANY)
    assert await _routed_to(pool, context) == "WG-TJ-property"


async def test_a_report_routed_while_a_change_is_uncommitted_does_not_keep_the_old_rules(pool, context):
    async with context.routing.changing(), pool.acquire() as conn, conn.transaction():
        await create_rule(conn, TO_THE_PROPERTY_COMPANY, by="a-1", at=context.clock.now())
        # another report, on another connection, before the commit: it reads (and may keep) the old rules
        assert await _routed_to(pool, context) == "greenery"
    assert await _routed_to(pool, context) == "WG-TJ-property"


async def test_reports_waiting_for_the_reference_data_are_routed_as_soon_as_another_replica_loads_it(
    pool, context
):
    await pool.execute("TRUNCATE routing_rules, unit_members, units, reference_version CASCADE")
    with pytest.raises(ReferenceNotLoaded):
        await _routed_to(pool, context)
    async with pool.acquire() as conn:
        await load_reference(conn, BUNDLE, at=context.clock.now())  # not this process: nothing is cleared
    assert await _routed_to(pool, context) == "greenery"
