"""The reserve pool (后备力量): nomination, stages, cultivation records, and appointment to a vacant post."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.training.domain.errors import Conflict, Forbidden
from services.training.domain.reserve import CultivationMethod, NominationChannel, Stage, transition
from services.training.handlers.common import new_id, organisation, person, row_or_404
from services.training.handlers.organisations import SECRETARY_POST, fill_post
from services.training.handlers.people import change_roles
from shared.events.catalogue.training import ReserveCandidateAppointed
from shared.unit_of_work import UnitOfWork


class Nominate(BaseModel):
    person_id: str = Field(min_length=1)
    organisation_code: str = Field(min_length=1, examples=["WG-TJ"])
    nominated_by: NominationChannel = Field(
        description="组织推荐 organisation, 群众举荐 masses, 个人自荐 self."
    )
    nominator: str | None = Field(None, max_length=200, description="Who put the name forward, if not self.")


class ChangeStage(BaseModel):
    stage: Literal["in_cultivation", "ready", "removed"]
    reason: str | None = Field(None, max_length=1000, description="Required when removing a candidate.")


class Appoint(BaseModel):
    post: str = Field(SECRETARY_POST, min_length=1, max_length=100)


class _Record(BaseModel):
    occurred_on: date
    summary: str = Field(min_length=1, max_length=2000)


class MethodRecord(_Record):
    kind: Literal["method"] = "method"
    method: CultivationMethod = Field(description="事务处理法, 放手实践法, 交流提高法 or 现场教学法.")


class RotationRecord(_Record):
    kind: Literal["rotation"] = "rotation"
    post: str = Field(min_length=1, max_length=200, description="The post rotated into (轮岗实训).")
    until: date | None = None


class TalkRecord(_Record):
    kind: Literal["talk"] = "talk"
    held_by: str = Field(min_length=1, max_length=200, description="Who held the heart-to-heart talk.")


class ReviewRecord(_Record):
    kind: Literal["review"] = "review"
    period: str = Field(min_length=1, max_length=50, examples=["2026-H1"])
    assessment: Literal["excellent", "good", "adequate", "needs_improvement"]


CultivationRecord = Annotated[
    MethodRecord | RotationRecord | TalkRecord | ReviewRecord, Field(discriminator="kind")
]


async def nominate(uow: UnitOfWork, command: Nominate, *, sample: bool = False) -> str:
    """Put a person into the reserve pool of an organisation; who may record which source is checked by the caller
    (`check_nomination_source`), since the sample loader nominates with no caller at all."""
    conn = uow.conn
    await person(conn, command.person_id)
    await organisation(conn, command.organisation_code)
    existing = await conn.fetchrow(
        "SELECT candidate_id, stage FROM candidates WHERE person_id = $1 AND organisation_code = $2",
        command.person_id,
        command.organisation_code,
    )
    if existing:
        raise Conflict(
            "person_id",
            f"person {command.person_id} was nominated for {command.organisation_code} already "
            f"(candidate {existing['candidate_id']}, {existing['stage']})",
        )
    candidate_id = new_id("cand")
    now = uow.context.clock.now()
    await conn.execute(
        """INSERT INTO candidates (candidate_id, person_id, organisation_code, nominated_by, nominator, stage,
               sample, nominated_at, stage_changed_at)
           VALUES ($1, $2, $3, $4, $5, 'nominated', $6, $7, $7)""",
        candidate_id, command.person_id, command.organisation_code, command.nominated_by, command.nominator,
        sample, now,
    )  # fmt: skip
    await change_roles(uow, command.person_id, add="reserve_candidate")
    return candidate_id


async def _candidate(uow: UnitOfWork, candidate_id: str):
    sql = "SELECT * FROM candidates WHERE candidate_id = $1 FOR UPDATE"
    return await row_or_404(uow.conn, sql, candidate_id, "candidate_id", "candidate")


async def _move(uow: UnitOfWork, candidate, target: Stage, reason: str | None) -> None:
    stage = transition(candidate["stage"], target, reason)
    await uow.conn.execute(
        """UPDATE candidates SET stage = $2, removed_reason = $3, stage_changed_at = $4
           WHERE candidate_id = $1""",
        candidate["candidate_id"],
        stage,
        reason if stage == "removed" else None,
        uow.context.clock.now(),
    )
    if stage in ("removed", "appointed"):
        still_candidate = await uow.conn.fetchval(
            """SELECT true FROM candidates WHERE person_id = $1
               AND stage IN ('nominated', 'in_cultivation', 'ready') LIMIT 1""",
            candidate["person_id"],
        )
        if not still_candidate:
            await change_roles(uow, candidate["person_id"], drop="reserve_candidate")


async def change_stage(uow: UnitOfWork, candidate_id: str, command: ChangeStage) -> Stage:
    candidate = await _candidate(uow, candidate_id)
    await _move(uow, candidate, command.stage, command.reason)
    return command.stage


async def appoint(uow: UnitOfWork, candidate_id: str, command: Appoint) -> None:
    """A ready candidate takes their organisation's vacant secretary post ("成熟一个使用一个")."""
    candidate = await _candidate(uow, candidate_id)
    post = await organisation(uow.conn, candidate["organisation_code"], lock=True)
    transition(candidate["stage"], "appointed")  # checked before the post, so a 409 names the stage first
    await fill_post(uow.conn, post, candidate["person_id"], command.post)
    await change_roles(uow, candidate["person_id"], add="secretary")
    await _move(uow, candidate, "appointed", None)
    await uow.emit(
        ReserveCandidateAppointed(
            candidate_id=candidate["person_id"],
            organisation_code=candidate["organisation_code"],
            post=command.post,
            appointed_at=uow.context.clock.now(),
        )
    )


async def record_cultivation(
    uow: UnitOfWork, candidate_id: str, record: CultivationRecord, recorded_by: str
) -> int:
    candidate = await _candidate(uow, candidate_id)
    if candidate["stage"] in ("appointed", "removed"):
        raise Conflict("stage", f"the candidate is {candidate['stage']}; cultivation records are closed")
    detail = record.model_dump(mode="json", exclude={"kind", "occurred_on", "summary", "method"})
    return await uow.conn.fetchval(
        """INSERT INTO cultivation_records (candidate_id, kind, method, occurred_on, summary, detail,
               recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING record_id""",
        candidate_id, record.kind, getattr(record, "method", None), record.occurred_on, record.summary,
        detail, recorded_by, uow.context.clock.now(),
    )  # fmt: skip


def ensure_self_or_staff(principal, person_id: str, field: str = "person_id") -> None:
    """Community workers (secretaries, candidates) act only for themselves; trainers and admins for anyone."""
    if not principal.has_any("trainer") and principal.subject != person_id:
        raise Forbidden(field, f"a community worker may act only for themselves ({principal.subject})")
