"""Practice credit: a case resolved by a reserve candidate counts toward their practice record."""

from __future__ import annotations

from services.training.domain.reserve import Candidacy
from shared.events import Event
from shared.events.catalogue.issue import IssueResolved
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def credit_practice_case(uow: UnitOfWork, event: Event[IssueResolved]) -> None:
    """When the handler who resolved a case was a reserve candidate at the time it was resolved, credit them one
    practice case. The time of the resolution decides, not the order events arrive in: a case resolved before the
    nomination never counts, and one resolved during the candidacy counts even if its event comes after the
    appointment.

    Once per (candidate, case): the inbox drops a redelivered event, and the table's key drops the same case
    arriving again in another event (a second resolution after a reopening counts once).
    """
    resolved = event.data
    rows = await uow.conn.fetch(
        "SELECT nominated_at, stage, stage_changed_at FROM candidates WHERE person_id = $1",
        resolved.resolved_by,
    )
    if not any(Candidacy(**row).active_at(resolved.resolved_at) for row in rows):
        return
    credited = await uow.conn.fetchval(
        """INSERT INTO practice_cases (person_id, case_id, unit_id, resolved_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (person_id, case_id) DO NOTHING RETURNING true""",
        resolved.resolved_by,
        resolved.case_id,
        resolved.unit_id,
        resolved.resolved_at,
    )
    log.info(
        "practice case credited" if credited else "practice case already credited",
        case_id=str(resolved.case_id),
    )
