"""Reading the reserve pool: per organisation against its target, and one candidate's whole record."""

from __future__ import annotations

import asyncpg

from services.training.domain.errors import NotFound
from services.training.domain.reserve import OrganisationReserve, pool_ratio


async def reserve_pool(conn: asyncpg.Connection, target: int, street_code: str | None = None) -> dict:
    """Every organisation's active candidates against the target, those below it flagged."""
    rows = await conn.fetch(
        """SELECT o.code, o.name_zh, o.street_code,
                  count(c.candidate_id) FILTER (WHERE c.stage IN ('nominated', 'in_cultivation', 'ready'))
                      AS candidates
           FROM organisations o LEFT JOIN candidates c ON c.organisation_code = o.code
           WHERE $1::text IS NULL OR o.street_code = $1
           GROUP BY o.code ORDER BY o.street_code, o.code""",
        street_code,
    )
    organisations = []
    for row in rows:
        reserve = OrganisationReserve(row["code"], row["candidates"], target)
        organisations.append(
            {
                "code": row["code"],
                "name_zh": row["name_zh"],
                "street_code": row["street_code"],
                "candidates": reserve.candidates,
                "target": target,
                "fill": round(reserve.candidates / target, 3),
                "below_target": reserve.below_target,
                "missing": reserve.missing,
            }
        )
    candidates = sum(o["candidates"] for o in organisations)
    return {
        "organisations": len(organisations),
        "candidates": candidates,
        "target": target * len(organisations),
        "ratio": pool_ratio(candidates, len(organisations)),
        "fill": round(candidates / (target * len(organisations)), 3) if organisations else 0.0,
        "target_per_organisation": target,
        "below_target": [o["code"] for o in organisations if o["below_target"]],
        "per_organisation": organisations,
    }


async def candidate_view(conn: asyncpg.Connection, candidate_id: str) -> dict:
    row = await conn.fetchrow("SELECT * FROM candidates WHERE candidate_id = $1", candidate_id)
    if row is None:
        raise NotFound("candidate_id", f"no candidate {candidate_id}")
    records = await conn.fetch(
        """SELECT record_id, kind, method, occurred_on, summary, detail, recorded_by
           FROM cultivation_records WHERE candidate_id = $1 ORDER BY occurred_on, record_id""",
        candidate_id,
    )
    practice = await conn.fetchval(
        "SELECT count(*) FROM practice_cases WHERE person_id = $1", row["person_id"]
    )
    return dict(row) | {"records": [dict(r) for r in records], "practice_cases": practice}


async def list_candidates(
    conn: asyncpg.Connection, organisation_codes: list[str] | None, stage: str | None
) -> list[dict]:
    rows = await conn.fetch(
        """SELECT candidate_id, person_id, organisation_code, nominated_by, stage, nominated_at
           FROM candidates WHERE ($1::text[] IS NULL OR organisation_code = ANY($1)) AND ($2::text IS NULL OR stage = $2)
           ORDER BY organisation_code, nominated_at, candidate_id""",
        organisation_codes,
        stage,
    )
    return [dict(row) for row in rows]
