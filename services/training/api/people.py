"""People: register, update, read (contacts masked), and each person's training record."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from services.training.api.answers import PersonMade
from services.training.api.common import STAFF, STAFF_SCOPE, Gate, GateDep
from services.training.api.views import Person, PersonSummary, TrainingRecord
from services.training.handlers.access import ensure_sees, require_organisation
from services.training.handlers.people import (
    RegisterPerson,
    UpdatePerson,
    list_people,
    person_view,
    register_person,
    update_person,
)
from services.training.handlers.records import training_record
from services.training.handlers.reserve import ensure_self_or_staff
from shared.events.catalogue.training import PersonRole
from shared.http.contract import answers
from shared.scope import Scope, scoped

router = APIRouter(tags=["people"])


@router.post(
    "/people", status_code=status.HTTP_201_CREATED, summary="Register a person", responses=answers(404)
)
async def register(body: RegisterPerson, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> PersonMade:
    require_organisation(scope, body.organisation_code)
    async with g.command() as uow:
        return {"person_id": await register_person(uow, body)}


@router.put("/people/{person_id}", summary="Replace a person's details (publishes person.updated)")
async def update(person_id: str, body: UpdatePerson, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> Person:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "person", person_id)
        require_organisation(scope, body.organisation_code)
        await update_person(uow, person_id, body)
    async with g.query() as conn:
        return await person_view(conn, person_id)


@router.get("/people", summary="People, by role and organisation (no contact details)")
async def people(
    role: PersonRole | None = None,
    organisation_code: str | None = None,
    g: Gate = GateDep,
    scope: Scope = STAFF_SCOPE,
) -> list[PersonSummary]:
    organisations = scope.narrow(organisation_code, "organisation_code")
    async with g.query() as conn:
        return await list_people(conn, role, organisations)


@router.get("/people/{person_id}", summary="A person, contacts masked")
async def read(person_id: str, g: Gate = GateDep, scope: Scope = Depends(scoped())) -> Person:
    async with g.query() as conn:
        await ensure_sees(conn, scope, "person", person_id)
        return await person_view(conn, person_id)


@router.get("/people/{person_id}/record", summary="Sessions, hours, tracks completed, mentoring, practice")
async def record(
    person_id: str, g: Gate = GateDep, scope: Scope = Depends(scoped(*STAFF, "community_worker"))
) -> TrainingRecord:
    async with g.query() as conn:
        ensure_self_or_staff(scope.principal, person_id)
        await ensure_sees(conn, scope, "person", person_id)
        return await training_record(conn, person_id)
