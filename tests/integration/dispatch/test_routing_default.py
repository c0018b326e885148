"""Routing never picks a unit by its id: one an admin adds, named `0` or `__main__`, takes no case it was not
given; the routing default is set by the bundle and by the admin API, one per kind and place."""

from __future__ import annotations

import pytest

from services.dispatch.handlers.store import escalation_target
from tests.integration.dispatch.helpers import a_report, case_of, deliver

_north = iter(range(0, 100_000, 200))  # reports 200 m apart never merge


async def _routed_to(pool, context, category: str) -> str:
    report = a_report(category, north_m=next(_north))
    await deliver(pool, context, report)
    return (await case_of(pool, report))["unit_id"]


def _unit(kind: str, street: str | None = None, community: str | None = None, **more) -> dict:
    return {
        "kind": kind,
        "name_zh": "新单位",
        "name_en": "New unit",
        "street_code": street,
        "community_code": community,
        **more,
    }


@pytest.mark.parametrize("name", ["0", "__main__"])
async def test_a_unit_named_to_sort_first_captures_no_routing_nor_escalation(
    pool, context, client, token, name
):
    admin = token("a-1", "admin")
    for unit_id, body in [
        (name, _unit("street_office", "WG")),
        (f"{name}-district", _unit("district_office")),
        (f"{name}-property", _unit("property_company", "WG", "WG-TJ")),
    ]:
        response = await client.put(f"/admin/units/{unit_id}", headers=admin, json=body)
        assert response.status_code == 200, response.text
        assert response.json()["routing_default"] is False
    assert await _routed_to(pool, context, "structures.cracked-wall") == "WG-office"
    assert await _routed_to(pool, context, "fire.balcony-storage") == "WG-TJ-property"
    async with pool.acquire() as conn:
        assert await escalation_target(conn, context.routing, "street", "WG") == "WG-office"
        assert await escalation_target(conn, context.routing, "district", "WG") == "district-office"


async def test_an_admin_moves_the_routing_default_explicitly_and_only_one_per_kind_and_place(
    pool, context, client, token
):
    admin = token("a-1", "admin")
    body = _unit("street_office", "WG", routing_default=True)
    refused = await client.put("/admin/units/0", headers=admin, json=body)
    assert refused.status_code == 422 and "routing_default" in refused.text

    office = await client.get(
        "/admin/units", headers=admin, params={"kind": "street_office", "street_code": "WG"}
    )
    [current] = office.json()["items"]
    assert current["id"] == "WG-office" and current["routing_default"] is True
    unmarked = {
        k: current[k] for k in ("kind", "name_zh", "name_en", "street_code", "community_code", "active")
    }
    assert (await client.put("/admin/units/WG-office", headers=admin, json=unmarked)).status_code == 200
    assert (await client.put("/admin/units/0", headers=admin, json=body)).status_code == 200
    assert await _routed_to(pool, context, "structures.cracked-wall") == "0"
