"""People known to training: secretaries, community workers, reserve candidates, mentors, lecturers, trainers.

Contact details are sealed for notify (`shared.contacts.seal`) and kept here only sealed and masked: a phone
number never appears in clear in an event, a log line or an API answer.
"""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.errors import Conflict
from services.training.handlers.common import new_id, organisation, person
from shared.contacts import ContactPoint, Contacts, mask_phone, seal
from shared.events.catalogue.training import PersonRegistered, PersonRole, PersonUpdated
from shared.unit_of_work import UnitOfWork


class PersonDetails(BaseModel):
    display_name: str = Field(min_length=1, max_length=100, examples=["尹雪松"])
    roles: list[PersonRole] = Field(min_length=1, examples=[["secretary"]])
    organisation_code: str | None = Field(None, examples=["WG-RL"])
    preferred_language: str = Field("zh-CN", max_length=20)
    contacts: list[ContactPoint] | None = Field(
        None,
        description="Sealed for notify; only masked forms are ever shown. Omit to keep the current ones.",
    )


class RegisterPerson(PersonDetails):
    person_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Chosen by the caller, or generated."
    )


class UpdatePerson(PersonDetails):
    active: bool = True


def _masked(points: list[ContactPoint]) -> list[dict[str, str]]:
    return [
        {"channel": p.channel, "address": mask_phone(p.address) if p.channel == "sms" else "***"}
        for p in points
    ]


def _sealed(uow: UnitOfWork, points: list[ContactPoint] | None) -> str | None:
    if not points:
        return None
    return seal(Contacts(points=points), uow.context.settings.contact_seal_key)


async def _street_of(conn: asyncpg.Connection, organisation_code: str | None) -> str | None:
    if organisation_code is None:
        return None
    return (await organisation(conn, organisation_code))["street_code"]


async def register_person(uow: UnitOfWork, command: RegisterPerson, *, sample: bool = False) -> str:
    conn, now = uow.conn, uow.context.clock.now()
    person_id = command.person_id or new_id("p")
    street_code = await _street_of(conn, command.organisation_code)
    roles = sorted(set(command.roles))
    sealed = _sealed(uow, command.contacts)
    inserted = await conn.fetchval(
        """INSERT INTO people (person_id, display_name, roles, organisation_code, street_code,
               preferred_language, sealed_contacts, masked_contacts, sample, registered_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
           ON CONFLICT (person_id) DO NOTHING RETURNING true""",
        person_id, command.display_name, roles, command.organisation_code, street_code,
        command.preferred_language, sealed, _masked(command.contacts or []), sample, now,
    )  # fmt: skip
    if not inserted:
        raise Conflict("person_id", f"person {person_id} is registered already")
    await uow.emit(
        PersonRegistered(
            person_id=person_id,
            display_name=command.display_name,
            roles=roles,
            organisation_code=command.organisation_code,
            preferred_language=command.preferred_language,
            sealed_contacts=sealed,
            registered_at=now,
        )
    )
    return person_id


async def update_person(uow: UnitOfWork, person_id: str, command: UpdatePerson) -> None:
    conn = uow.conn
    current = await person(conn, person_id, lock=True)
    street_code = await _street_of(conn, command.organisation_code)
    sealed, masked = current["sealed_contacts"], current["masked_contacts"]
    if command.contacts is not None:
        sealed, masked = _sealed(uow, command.contacts), _masked(command.contacts)
    await conn.execute(
        """UPDATE people SET display_name = $2, roles = $3, organisation_code = $4, street_code = $5,
               preferred_language = $6, sealed_contacts = $7, masked_contacts = $8, active = $9, updated_at = $10
           WHERE person_id = $1""",
        person_id, command.display_name, sorted(set(command.roles)), command.organisation_code, street_code,
        command.preferred_language, sealed, masked, command.active, uow.context.clock.now(),
    )  # fmt: skip
    await publish_person_updated(uow, person_id)


async def change_roles(uow: UnitOfWork, person_id: str, *, add: str | None = None, drop: str | None = None):
    """Give or take a role (a nominee becomes a reserve candidate, an appointee a secretary)."""
    current = await person(uow.conn, person_id, lock=True)
    roles = (set(current["roles"]) - {drop}) | ({add} if add else set())
    roles = roles or {"community_worker"}
    if roles == set(current["roles"]):
        return
    await uow.conn.execute(
        "UPDATE people SET roles = $2, updated_at = $3 WHERE person_id = $1",
        person_id,
        sorted(roles),
        uow.context.clock.now(),
    )
    await publish_person_updated(uow, person_id)


async def publish_person_updated(uow: UnitOfWork, person_id: str) -> None:
    row = await person(uow.conn, person_id)
    await uow.emit(
        PersonUpdated(
            person_id=person_id,
            display_name=row["display_name"],
            roles=row["roles"],
            organisation_code=row["organisation_code"],
            preferred_language=row["preferred_language"],
            sealed_contacts=row["sealed_contacts"],
            active=row["active"],
            updated_at=row["updated_at"],
        )
    )


async def person_view(conn: asyncpg.Connection, person_id: str) -> dict:
    row = await person(conn, person_id)
    return {
        "person_id": row["person_id"],
        "display_name": row["display_name"],
        "roles": row["roles"],
        "organisation_code": row["organisation_code"],
        "street_code": row["street_code"],
        "preferred_language": row["preferred_language"],
        "contacts": row["masked_contacts"],
        "active": row["active"],
        "sample": row["sample"],
    }


async def list_people(
    conn: asyncpg.Connection, role: str | None, organisation_codes: list[str] | None
) -> list[dict]:
    rows = await conn.fetch(
        """SELECT person_id, display_name, roles, organisation_code, street_code, active, sample FROM people
           WHERE ($1::text IS NULL OR $1 = ANY(roles)) AND ($2::text[] IS NULL OR organisation_code = ANY($2))
           ORDER BY registered_seq""",
        role,
        organisation_codes,
    )
    return [dict(row) for row in rows]
