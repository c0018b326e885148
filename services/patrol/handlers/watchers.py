"""Registering, changing and deactivating safety watchers; each change commits with its event.

The phone stays in this schema: events carry it sealed for notify, lists show it masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from services.patrol.domain.watcher_errors import Conflict, InvalidInput, NotFound
from services.patrol.domain.watchers import EquipmentIssue, Pairing, WatcherChanges, WatcherFields
from services.patrol.handlers.shifts import cancel_future_shifts
from services.patrol.handlers.watchers_lookup import watcher_row
from shared.contacts import ContactPoint, Contacts, mask_phone, seal
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.reference import Organisation, ReferenceBundle
from shared.unit_of_work import UnitOfWork

_INSERT_WATCHER = """
INSERT INTO watchers (watcher_id, display_name, community_code, street_code, phone, preferred_language,
                      registered_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"""
_INSERT_EQUIPMENT = "INSERT INTO watcher_equipment (watcher_id, item, issued_on) VALUES ($1, $2, $3)"
_INSERT_PAIRING = """
INSERT INTO watcher_pairings (watcher_id, position, role, name, badge, station) VALUES ($1, $2, $3, $4, $5, $6)"""


def community_names(bundle: ReferenceBundle) -> dict[str, str]:
    """Each community's code and Chinese name, mapped to its code."""
    names = {organisation.name_zh: organisation.code for organisation in bundle.organisations}
    names.update({organisation.code: organisation.code for organisation in bundle.organisations})
    return names


def community_of(bundle: ReferenceBundle, code: str, field: str = "community_code") -> Organisation:
    try:
        return bundle.organisation(code)
    except KeyError:
        raise InvalidInput(
            field, f"no community or village with code {code!r} in the reference data"
        ) from None


def sealed_phone(uow: UnitOfWork, phone: str) -> str:
    contacts = Contacts(points=[ContactPoint(channel="sms", address=phone)])
    return seal(contacts, uow.context.settings.contact_seal_key)


async def register_watchers(uow: UnitOfWork, registrations: Sequence[WatcherFields]) -> list[str]:
    """Insert the watchers in batches and emit `watcher.registered` for each; their ids, in order."""
    if not registrations:
        return []
    bundle, now = uow.context.bundle, uow.context.clock.now()
    numbers = await uow.conn.fetch(
        "SELECT nextval('watcher_numbers') AS n FROM generate_series(1, $1)", len(registrations)
    )
    ids = [f"w-{n:04d}" for n in sorted(row["n"] for row in numbers)]
    streets = [community_of(bundle, fields.community_code).street_code for fields in registrations]
    rows = [
        (watcher_id, f.display_name, f.community_code, street, f.phone, f.preferred_language, now)
        for watcher_id, f, street in zip(ids, registrations, streets, strict=True)
    ]
    try:
        await uow.conn.executemany(_INSERT_WATCHER, rows)
    except asyncpg.UniqueViolationError:
        raise Conflict("already_registered", "phone: an active watcher already has this phone") from None
    await _insert_kit(uow.conn, list(zip(ids, registrations, strict=True)))
    for watcher_id, fields, street in zip(ids, registrations, streets, strict=True):
        await uow.emit(
            WatcherRegistered(
                watcher_id=watcher_id,
                display_name=fields.display_name,
                community_code=fields.community_code,
                street_code=street,
                preferred_language=fields.preferred_language,
                sealed_contacts=sealed_phone(uow, fields.phone),
                registered_at=now,
            )
        )
    return ids


async def _insert_kit(conn: asyncpg.Connection, watchers: list[tuple[str, WatcherFields]]) -> None:
    equipment = [(w, issue.item, issue.issued_on) for w, fields in watchers for issue in fields.equipment]
    pairings = [
        (w, position, p.role, p.name, p.badge, p.station)
        for w, fields in watchers
        for position, p in enumerate(fields.pairings)
    ]
    if equipment:
        await conn.executemany(_INSERT_EQUIPMENT, equipment)
    if pairings:
        await conn.executemany(_INSERT_PAIRING, pairings)


async def active_phones(conn: asyncpg.Connection, phones: Sequence[str]) -> dict[str, str]:
    """Phone → watcher id, for the phones among `phones` that an active watcher already has."""
    rows = await conn.fetch(
        "SELECT phone, watcher_id FROM watchers WHERE active AND phone = ANY($1::text[])", list(phones)
    )
    return {row["phone"]: row["watcher_id"] for row in rows}


async def register_watcher(uow: UnitOfWork, fields: WatcherFields) -> dict[str, Any]:
    community_of(uow.context.bundle, fields.community_code)
    taken = await active_phones(uow.conn, [fields.phone])
    if taken:
        raise Conflict("already_registered", f"phone: already registered to watcher {taken[fields.phone]}")
    [watcher_id] = await register_watchers(uow, [fields])
    return await get_watcher(uow.conn, watcher_id)


async def update_watcher(uow: UnitOfWork, watcher_id: str, changes: WatcherChanges) -> dict[str, Any]:
    row = await watcher_row(uow.conn, watcher_id, lock=True)
    if not row["active"]:
        raise Conflict("deactivated", f"watcher {watcher_id} is deactivated and cannot be changed")
    before = await get_watcher(uow.conn, watcher_id)
    current = {
        "display_name": row["display_name"],
        "community_code": row["community_code"],
        "preferred_language": row["preferred_language"],
        "equipment": [EquipmentIssue.model_validate(item) for item in before["equipment"]],
        "pairings": [Pairing.model_validate(item) for item in before["pairings"]],
    }
    given = {name: getattr(changes, name) for name in changes.model_fields_set}
    new = {name: value for name, value in given.items() if value is not None and name != "phone"}
    changed = [name for name, value in new.items() if value != current[name]]
    phone = changes.phone or row["phone"]
    if phone != row["phone"]:
        taken = await active_phones(uow.conn, [phone])
        if taken:
            raise Conflict("already_registered", f"phone: already registered to watcher {taken[phone]}")
        changed.append("sealed_contacts")
    if not changed:
        return before
    after = {**current, **new}
    community = community_of(uow.context.bundle, after["community_code"])
    now = uow.context.clock.now()
    await uow.conn.execute(
        """UPDATE watchers SET display_name = $2, community_code = $3, street_code = $4, phone = $5,
                  preferred_language = $6, updated_at = $7 WHERE watcher_id = $1""",
        watcher_id,
        after["display_name"],
        community.code,
        community.street_code,
        phone,
        after["preferred_language"],
        now,
    )
    if "equipment" in changed or "pairings" in changed:
        await uow.conn.execute("DELETE FROM watcher_equipment WHERE watcher_id = $1", watcher_id)
        await uow.conn.execute("DELETE FROM watcher_pairings WHERE watcher_id = $1", watcher_id)
        kit = WatcherFields.model_construct(equipment=after["equipment"], pairings=after["pairings"])
        await _insert_kit(uow.conn, [(watcher_id, kit)])
    await uow.emit(
        WatcherUpdated(
            watcher_id=watcher_id,
            display_name=after["display_name"],
            community_code=community.code,
            street_code=community.street_code,
            preferred_language=after["preferred_language"],
            sealed_contacts=sealed_phone(uow, phone),
            changed_fields=sorted(changed),
            updated_at=now,
        )
    )
    return await get_watcher(uow.conn, watcher_id)


async def deactivate_watcher(uow: UnitOfWork, watcher_id: str, reason: str) -> dict[str, Any]:
    row = await watcher_row(uow.conn, watcher_id, lock=True)
    if not row["active"]:
        raise Conflict("deactivated", f"watcher {watcher_id} is already deactivated")
    now = uow.context.clock.now()
    await uow.conn.execute(
        """UPDATE watchers SET active = false, deactivated_at = $2, deactivation_reason = $3, updated_at = $2
           WHERE watcher_id = $1""",
        watcher_id,
        now,
        reason,
    )
    await uow.emit(WatcherDeactivated(watcher_id=watcher_id, reason=reason, deactivated_at=now))
    await cancel_future_shifts(uow, watcher_id, f"watcher deactivated: {reason}")
    return await get_watcher(uow.conn, watcher_id)


_VIEW = """
SELECT w.watcher_id, w.display_name, w.community_code, w.street_code, w.active, w.phone, w.preferred_language,
       w.registered_at, w.updated_at, w.deactivated_at, w.deactivation_reason,
       coalesce((SELECT jsonb_agg(jsonb_build_object('item', e.item, 'issued_on', e.issued_on) ORDER BY e.item)
                 FROM watcher_equipment e WHERE e.watcher_id = w.watcher_id), '[]') AS equipment,
       coalesce((SELECT jsonb_agg(jsonb_build_object('role', p.role, 'name', p.name, 'badge', p.badge,
                                                     'station', p.station) ORDER BY p.position)
                 FROM watcher_pairings p WHERE p.watcher_id = w.watcher_id), '[]') AS pairings
FROM watchers w"""


def _view(row: asyncpg.Record) -> dict[str, Any]:
    view = dict(row)
    view["phone"] = mask_phone(view["phone"])
    return view


async def get_watcher(conn: asyncpg.Connection, watcher_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(_VIEW + " WHERE w.watcher_id = $1", watcher_id)
    if row is None:
        raise NotFound("watcher_id", f"no watcher {watcher_id}")
    return _view(row)


async def list_watchers(
    conn: asyncpg.Connection,
    *,
    communities: list[str] | None,
    street_code: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    where = """WHERE ($1::text[] IS NULL OR w.community_code = ANY($1)) AND ($2::text IS NULL OR w.street_code = $2)
               AND ($3::boolean IS NULL OR w.active = $3)"""
    total = await conn.fetchval(f"SELECT count(*) FROM watchers w {where}", communities, street_code, active)
    rows = await conn.fetch(
        f"{_VIEW} {where} ORDER BY w.watcher_id LIMIT $4 OFFSET $5",
        communities,
        street_code,
        active,
        limit,
        offset,
    )
    return total, [_view(row) for row in rows]
