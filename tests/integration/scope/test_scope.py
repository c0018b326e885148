"""The scope rule, route by route: no token of another community, street or unit, and no token without the claim
its role needs, reaches community A's data in any service; the right community, street or unit does."""

from __future__ import annotations

import pytest

from services.dispatch.bootstrap import definition as dispatch
from services.notify.bootstrap import definition as notify
from services.patrol.bootstrap import definition as patrol
from services.training.bootstrap import definition as training
from shared.runtime.app import create_app
from tests.integration.scope.district import (
    A_STREET,
    A_UNIT,
    B_STREET,
    B_UNIT,
    BUNDLE,
    HANDLER_A,
    HANDLER_B,
    A,
    B,
    District,
    build,
    running_district,
)
from tests.integration.scope.table import TABLE, Open, Scoped

PLACED = ("watcher", "resident", "community_worker")
WRONG: list[tuple[str, str, dict]] = [
    *[(f"{role} of community {B}", role, {"community": B}) for role in (*PLACED, "dispatcher", "trainer")],
    *[
        (f"{role} of street {B_STREET}", role, {"street": B_STREET})
        for role in (*PLACED, "dispatcher", "trainer")
    ],
    *[(f"{role} with no community", role, {}) for role in PLACED],
    (f"handler of unit {B_UNIT}", "handler", {"units": (B_UNIT,)}),
    ("handler with no unit", "handler", {}),
]


def routes_of(definition) -> set[tuple[str, str]]:
    """Every method and path the service's app serves, from its OpenAPI document."""
    app = create_app(definition, definition.settings_class(service_name=definition.name))
    return {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}


@pytest.mark.parametrize("definition", [patrol(), dispatch(), notify(), training()], ids=lambda d: d.name)
def test_every_route_of_every_service_has_a_row_in_the_scope_table(definition):
    table = TABLE[definition.name]
    assert routes_of(definition) - set(table) == set(), "a new route needs a row in the scope table"
    assert set(table) - routes_of(definition) == set(), "a row for a route that no longer exists"
    assert all(row.reason for row in table.values() if isinstance(row, Open))


async def _refused(district: District, service: str, method: str, row: Scoped, headers) -> int | None:
    """The status when the request got through, None when it was refused."""
    response = await district.clients[service].request(method, headers=headers, **row.request(district.ids))
    no_route = response.status_code == 404 and response.json()["type"] == "about:blank"
    assert not no_route, f"{method} {row.url} matches no route of {service}"
    if headers is None:
        return None if response.status_code == 401 else response.status_code
    if response.status_code in (403, 404):
        return None
    if row.hides and response.status_code == 200 and district.ids[row.hides] not in response.text:
        return None
    if row.refuses and response.status_code == 200 and row.refuses(response.json()):
        return None
    return response.status_code


async def _positive(district: District) -> None:
    ids = district.ids
    watcher_of_a = district.bearer("w-a", "watcher", community=A)
    worker_of_street_a = district.bearer("cw-a", "community_worker", street=A_STREET)
    handler_of_a = district.bearer(HANDLER_A, "handler", units=(A_UNIT,))
    trainer_of_a = district.bearer("t-a", "trainer", community=A)
    samples = [
        ("dispatch", f"/cases/{ids['case']}", watcher_of_a),
        ("dispatch", f"/cases/{ids['case']}/timeline", handler_of_a),
        ("dispatch", f"/units/{A_UNIT}/cases", handler_of_a),
        ("patrol", f"/watchers/{ids['watcher']}", worker_of_street_a),
        ("patrol", f"/reports/{ids['report_0']}", worker_of_street_a),
        ("patrol", f"/reports/{ids['report_0']}", handler_of_a),
        ("patrol", f"/rosters/{ids['roster']}", district.bearer("cw-a2", "community_worker", community=A)),
        ("notify", f"/units/{A_UNIT}/notifications", handler_of_a),
        ("notify", f"/deliveries/{ids['delivery']}", handler_of_a),
        ("training", f"/people/{ids['secretary']}", trainer_of_a),
        ("training", f"/reserve/candidates/{ids['candidate_id']}", trainer_of_a),
        ("training", f"/pairings/{ids['pairing']}", district.bearer(ids["mentor"], "community_worker")),
    ]
    for service, path, headers in samples:
        response = await district.clients[service].get(path, headers=headers)
        assert response.status_code == 200, (service, path, response.text)
    listed = await district.clients["dispatch"].get(
        "/cases", headers=district.bearer("d-a", "dispatcher", street=A_STREET)
    )
    assert ids["case"] in listed.text and ids["case_2"] not in listed.text, "a street dispatcher's board"
    figures = await district.clients["dispatch"].get(
        "/statistics",
        params={"by": "community"},
        headers=district.bearer("d-a", "dispatcher", street=A_STREET),
    )
    keys = {row["key"] for row in figures.json()}
    assert A in keys and {BUNDLE.organisation(key).street_code for key in keys} == {A_STREET}, keys


async def test_no_token_reaches_another_community_unit_or_street_nor_without_its_claim(
    settings_for, tmp_path
):
    async with running_district(settings_for, tmp_path / "photos") as district:
        await build(district)
        violations = []
        for service, table in TABLE.items():
            for (method, path), row in table.items():
                if not isinstance(row, Scoped):
                    continue
                tokens = [("no token", None)] + [
                    (
                        label,
                        district.bearer(HANDLER_B if role == "handler" else f"stranger-{n}", role, **claims),
                    )
                    for n, (label, role, claims) in enumerate(WRONG)
                ]
                for label, headers in tokens:
                    status = await _refused(district, service, method, row, headers)
                    if status is not None:
                        violations.append(f"{service} {method} {path}: {label} got {status}")
        print(f"\nscope violations: {len(violations)}", *violations, sep="\n")  # shown by pytest -s
        await _positive(district)
    assert violations == [], f"{len(violations)} scope violations:\n" + "\n".join(violations)
