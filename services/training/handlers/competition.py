"""The Social Worker Cup (社工杯): registration, the preliminary, three judged rounds, and published results."""

from __future__ import annotations

from collections import defaultdict

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.competition import (
    TIE_BREAK,
    Entrant,
    Preliminary,
    Ranked,
    rank,
    select_finalists,
)
from services.training.domain.errors import Conflict, Invalid, NotFound
from services.training.handlers.common import new_id, person_with_role, row_or_404
from shared.events.catalogue.training import CompetitionResultsPublished, RankedContestant
from shared.unit_of_work import UnitOfWork


class OpenCompetition(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=["第二届“社工杯”职业能力大赛"])
    finalists: int | None = Field(None, ge=1, le=1000, description="How many the preliminary selects.")


class Register(BaseModel):
    person_id: str = Field(min_length=1, description="A community worker of one of the streets.")


class PreliminaryScore(BaseModel):
    person_id: str = Field(min_length=1)
    score: float = Field(ge=0, le=1000)


class RunPreliminary(BaseModel):
    scores: list[PreliminaryScore] = Field(min_length=1)


class Score(BaseModel):
    round: int = Field(ge=1, le=3, description="1 底数我最清, 2 居民我最熟, 3 业务我最强.")
    person_id: str = Field(min_length=1, description="The finalist scored.")
    score: float = Field(ge=0, le=100)


async def open_competition(uow: UnitOfWork, command: OpenCompetition, *, sample: bool = False) -> str:
    competition_id = new_id("cup")
    finalists = command.finalists or uow.context.settings.default_finalists
    await uow.conn.execute(
        """INSERT INTO competitions (competition_id, title, finalists, status, sample, created_at)
           VALUES ($1, $2, $3, 'registration', $4, $5)""",
        competition_id, command.title, finalists, sample, uow.context.clock.now(),
    )  # fmt: skip
    return competition_id


async def _competition(conn: asyncpg.Connection, competition_id: str, *, lock: bool = False):
    sql = "SELECT * FROM competitions WHERE competition_id = $1" + (" FOR UPDATE" if lock else "")
    return await row_or_404(conn, sql, competition_id, "competition_id", "competition")


def _in_status(competition, status: str) -> None:
    if competition["status"] != status:
        raise Conflict("status", f"competition {competition['competition_id']} is {competition['status']}")


async def register(uow: UnitOfWork, competition_id: str, command: Register) -> None:
    competition = await _competition(uow.conn, competition_id)
    _in_status(competition, "registration")
    worker = await person_with_role(uow.conn, command.person_id, "community_worker", "person_id")
    if worker["street_code"] is None:
        raise Invalid("person_id", f"person {command.person_id} belongs to no community of a street")
    inserted = await uow.conn.fetchval(
        """INSERT INTO contestants (competition_id, person_id, street_code, registered_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
        competition_id, command.person_id, worker["street_code"], uow.context.clock.now(),
    )  # fmt: skip
    if not inserted:
        raise Conflict("person_id", f"person {command.person_id} is registered for {competition_id} already")


async def run_preliminary(uow: UnitOfWork, competition_id: str, command: RunPreliminary) -> list[str]:
    """Record the preliminary scores and select the finalists; registration closes."""
    competition = await _competition(uow.conn, competition_id, lock=True)
    _in_status(competition, "registration")
    registered = {
        row["person_id"]: row["registered_seq"]
        for row in await uow.conn.fetch(
            "SELECT person_id, registered_seq FROM contestants WHERE competition_id = $1", competition_id
        )
    }
    seen: set[str] = set()
    for entry in command.scores:
        if entry.person_id not in registered:
            raise Invalid(
                "scores.person_id", f"person {entry.person_id} is not registered for {competition_id}"
            )
        if entry.person_id in seen:
            raise Invalid("scores.person_id", f"person {entry.person_id} has two preliminary scores")
        seen.add(entry.person_id)
    await uow.conn.executemany(
        "UPDATE contestants SET preliminary_score = $3 WHERE competition_id = $1 AND person_id = $2",
        [(competition_id, e.person_id, e.score) for e in command.scores],
    )
    finalists = select_finalists(
        [Preliminary(e.person_id, e.score, registered[e.person_id]) for e in command.scores],
        competition["finalists"],
    )
    await uow.conn.execute(
        "UPDATE contestants SET finalist = true WHERE competition_id = $1 AND person_id = ANY($2)",
        competition_id,
        finalists,
    )
    await uow.conn.execute(
        "UPDATE competitions SET status = 'final' WHERE competition_id = $1", competition_id
    )
    return finalists


async def score(uow: UnitOfWork, competition_id: str, judge_id: str, command: Score) -> None:
    """One score per judge per finalist per round: a second one is a 409, not an overwrite."""
    competition = await _competition(uow.conn, competition_id)
    _in_status(competition, "final")
    finalist = await uow.conn.fetchval(
        "SELECT finalist FROM contestants WHERE competition_id = $1 AND person_id = $2",
        competition_id,
        command.person_id,
    )
    if not finalist:
        raise Invalid("person_id", f"person {command.person_id} is not a finalist of {competition_id}")
    inserted = await uow.conn.fetchval(
        """INSERT INTO scores (competition_id, round, person_id, judge_id, score, scored_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true""",
        competition_id, command.round, command.person_id, judge_id, command.score, uow.context.clock.now(),
    )  # fmt: skip
    if not inserted:
        raise Conflict(
            "round",
            f"judge {judge_id} has scored {command.person_id} in round {command.round} already",
        )


async def ranking(conn: asyncpg.Connection, competition_id: str) -> list[Ranked]:
    entrants = [
        Entrant(row["person_id"], row["street_code"], row["registered_seq"])
        for row in await conn.fetch(
            """SELECT person_id, street_code, registered_seq FROM contestants
               WHERE competition_id = $1 AND finalist ORDER BY registered_seq""",
            competition_id,
        )
    ]
    scores: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in await conn.fetch(
        "SELECT person_id, round, score FROM scores WHERE competition_id = $1", competition_id
    ):
        scores[row["person_id"]][row["round"]].append(float(row["score"]))
    return rank(entrants, scores)


def ranked_line(ranked: Ranked) -> RankedContestant:
    return RankedContestant(
        rank=ranked.rank,
        person_id=ranked.entrant.person_id,
        street_code=ranked.entrant.street_code,
        total=round(float(ranked.total), 3),
        round_averages=[round(float(a), 3) for a in ranked.round_averages],
    )


async def publish_results(uow: UnitOfWork, competition_id: str) -> list[RankedContestant]:
    competition = await _competition(uow.conn, competition_id, lock=True)
    _in_status(competition, "final")
    missing = await uow.conn.fetch(
        """SELECT c.person_id, r.round FROM contestants c CROSS JOIN generate_series(1, 3) AS r(round)
           WHERE c.competition_id = $1 AND c.finalist AND NOT EXISTS (
               SELECT 1 FROM scores s WHERE s.competition_id = c.competition_id
               AND s.person_id = c.person_id AND s.round = r.round)
           ORDER BY c.person_id, r.round""",
        competition_id,
    )
    if missing:
        first = missing[0]
        raise Conflict("round", f"{first['person_id']} has no score in round {first['round']} yet")
    lines = [ranked_line(r) for r in await ranking(uow.conn, competition_id)]
    await uow.conn.executemany(
        """INSERT INTO results (competition_id, person_id, rank, total, round_averages)
           VALUES ($1, $2, $3, $4, $5)""",
        [(competition_id, x.person_id, x.rank, x.total, x.round_averages) for x in lines],
    )
    now = uow.context.clock.now()
    await uow.conn.execute(
        "UPDATE competitions SET status = 'published', published_at = $2 WHERE competition_id = $1",
        competition_id,
        now,
    )
    await uow.emit(
        CompetitionResultsPublished(
            competition_id=competition_id,
            title=competition["title"],
            tie_break=TIE_BREAK,
            ranking=lines,
            published_at=now,
        )
    )
    return lines


async def results(conn: asyncpg.Connection, competition_id: str, street_code: str | None) -> dict:
    competition = await _competition(conn, competition_id)
    if competition["status"] != "published":
        raise NotFound("competition_id", f"competition {competition_id} has no published results")
    rows = await conn.fetch(
        """SELECT r.rank, r.person_id, c.street_code, r.total, r.round_averages
           FROM results r JOIN contestants c USING (competition_id, person_id)
           WHERE r.competition_id = $1 AND ($2::text IS NULL OR c.street_code = $2)
           ORDER BY r.rank, c.registered_seq""",
        competition_id,
        street_code,
    )
    return {
        "competition_id": competition_id,
        "title": competition["title"],
        "tie_break": TIE_BREAK,
        "published_at": competition["published_at"],
        "ranking": [dict(row) for row in rows],
    }


async def competitions(conn: asyncpg.Connection, status: str | None) -> list[dict]:
    """Every Cup, newest first, with how many registered and how many the preliminary kept (none opened yet: [])."""
    rows = await conn.fetch(
        """SELECT c.competition_id, c.title, c.status, c.finalists AS finalists_planned, c.created_at,
                  c.published_at, count(k.person_id) AS registered,
                  count(k.person_id) FILTER (WHERE k.finalist) AS finalists
           FROM competitions c LEFT JOIN contestants k USING (competition_id)
           WHERE $1::text IS NULL OR c.status = $1
           GROUP BY c.competition_id ORDER BY c.created_at DESC, c.competition_id""",
        status,
    )
    return [dict(row) for row in rows]
