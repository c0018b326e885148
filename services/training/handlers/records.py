"""Each person's training record: sessions attended, hours, tracks completed, mentoring and practice cases."""

from __future__ import annotations

import asyncpg

from services.training.domain.tracks import Attended, track_completed
from services.training.handlers.common import person
from services.training.handlers.programmes import tracks


async def training_record(conn: asyncpg.Connection, person_id: str) -> dict:
    await person(conn, person_id)
    attended = await conn.fetch(
        """SELECT s.session_id, s.kind, s.title, s.starts_at, a.hours::float AS hours
           FROM attendance a JOIN sessions s USING (session_id)
           WHERE a.person_id = $1 AND a.attended AND s.status = 'scheduled'
           ORDER BY s.starts_at, s.session_id""",
        person_id,
    )
    by_kind: dict[str, Attended] = {}
    for row in attended:
        before = by_kind.get(row["kind"], Attended(0, 0.0))
        by_kind[row["kind"]] = Attended(before.sessions + 1, before.hours + row["hours"])
    completed = [
        track["code"] for track, requirements in await tracks(conn) if track_completed(requirements, by_kind)
    ]
    upcoming = await conn.fetch(
        """SELECT s.session_id, s.title, s.starts_at, e.status FROM enrolments e JOIN sessions s USING (session_id)
           WHERE e.person_id = $1 AND e.status IN ('confirmed', 'waitlisted') AND s.status = 'scheduled'
           ORDER BY s.starts_at""",
        person_id,
    )
    pairings = await conn.fetch(
        """SELECT pairing_id, studio_id, mentor_id, started_on, goals, ended_on FROM pairings
           WHERE mentee_id = $1 ORDER BY started_on""",
        person_id,
    )
    practice = await conn.fetchval("SELECT count(*) FROM practice_cases WHERE person_id = $1", person_id)
    return {
        "person_id": person_id,
        "sessions": [dict(row) for row in attended],
        "sessions_attended": len(attended),
        "hours": round(sum(row["hours"] for row in attended), 2),
        "by_kind": {
            kind: {"sessions": a.sessions, "hours": round(a.hours, 2)} for kind, a in by_kind.items()
        },
        "tracks_completed": completed,
        "enrolments": [dict(row) for row in upcoming],
        "mentor_pairings": [dict(row) for row in pairings],
        "practice_cases": practice,
    }
