"""The district's figures: training per street, sessions by kind, the reserve ratio, mentoring, the Cup."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.training.handlers.reserve_views import reserve_pool


async def statistics(conn: asyncpg.Connection, now: datetime, reserve_target: int) -> dict:
    per_street = await conn.fetch(
        """SELECT st.code AS street_code, st.name_zh,
                  count(DISTINCT p.person_id) FILTER (WHERE 'secretary' = ANY(p.roles)) AS secretaries,
                  count(DISTINCT a.person_id) AS secretaries_trained,
                  COALESCE(sum(a.hours), 0)::float AS hours
           FROM streets st
           LEFT JOIN people p ON p.street_code = st.code AND 'secretary' = ANY(p.roles)
           LEFT JOIN (SELECT a.person_id, a.hours FROM attendance a JOIN sessions s USING (session_id)
                      WHERE a.attended AND s.status = 'scheduled') a ON a.person_id = p.person_id
           GROUP BY st.code ORDER BY st.code"""
    )
    by_kind = await conn.fetch(
        """SELECT s.kind,
                  count(*) FILTER (WHERE s.ends_at <= $1) AS held,
                  count(*) FILTER (WHERE s.ends_at > $1) AS upcoming,
                  (SELECT count(DISTINCT a.person_id) FROM attendance a JOIN sessions x USING (session_id)
                   WHERE x.kind = s.kind AND x.status = 'scheduled' AND a.attended) AS attendees
           FROM sessions s WHERE s.status = 'scheduled' GROUP BY s.kind ORDER BY s.kind""",
        now,
    )
    pool = await reserve_pool(conn, reserve_target)
    mentoring = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM studios) AS studios,
                  (SELECT count(*) FROM pairings WHERE ended_on IS NULL) AS active_pairings"""
    )
    courses = await conn.fetch(
        """SELECT c.course_id, c.title, c.kind, c.planned_sessions,
                  count(s.session_id) FILTER (WHERE s.status = 'scheduled') AS sessions
           FROM courses c LEFT JOIN sessions s ON s.course_id = c.course_id
           GROUP BY c.course_id ORDER BY c.created_at, c.course_id"""
    )
    competitions = await conn.fetch(
        """SELECT c.competition_id, c.title, c.status, k.street_code,
                  count(*) AS registered, count(*) FILTER (WHERE k.finalist) AS finalists
           FROM competitions c JOIN contestants k USING (competition_id)
           GROUP BY c.competition_id, k.street_code ORDER BY c.created_at, c.competition_id, k.street_code"""
    )
    return {
        "per_street": [dict(row) for row in per_street],
        "sessions_by_kind": {row["kind"]: dict(row) for row in by_kind},
        "reserve": pool,
        "mentoring": dict(mentoring),
        "courses": [dict(row) for row in courses],
        "competitions": _competitions(competitions),
    }


def _competitions(rows: list[asyncpg.Record]) -> list[dict]:
    grouped: dict[str, dict] = {}
    for row in rows:
        entry = grouped.setdefault(
            row["competition_id"],
            {"competition_id": row["competition_id"], "title": row["title"], "status": row["status"],
             "registered": 0, "finalists": 0, "per_street": {}},
        )  # fmt: skip
        entry["registered"] += row["registered"]
        entry["finalists"] += row["finalists"]
        entry["per_street"][row["street_code"]] = {
            "registered": row["registered"],
            "finalists": row["finalists"],
        }
    return list(grouped.values())
