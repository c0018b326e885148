"""The directory of recipients, kept from events (watchers, training's people) and from the reference bundle (units).

Events of different types arrive out of order: a row carries the time of the event that wrote it (`as_of`), and
an older event never overwrites a newer one. Contact addresses are unsealed here, stored in this schema only, and
never logged.
"""

from __future__ import annotations

from datetime import datetime, time

import asyncpg

from services.notify.domain.rules import unit_recipient
from services.notify.handlers.awaiting import lock_recipient, plan_awaiting
from shared.contacts import ContactPoint, SealBroken, unseal
from shared.events import Event
from shared.events.catalogue.training import PersonRegistered, PersonUpdated
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.logging import get_logger
from shared.reference import ReferenceBundle
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

_UPSERT = """
INSERT INTO recipients (recipient_id, kind, display_name, preferred_language, active, as_of, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (recipient_id) DO UPDATE SET
    kind = excluded.kind, display_name = excluded.display_name,
    preferred_language = excluded.preferred_language, active = excluded.active,
    as_of = excluded.as_of, updated_at = now()
WHERE recipients.as_of <= excluded.as_of
RETURNING true
"""


async def upsert_recipient(
    conn: asyncpg.Connection,
    recipient_id: str,
    *,
    kind: str,
    display_name: str,
    language: str,
    active: bool,
    as_of: datetime,
    contacts: list[ContactPoint] | None,
) -> bool:
    """Write the recipient unless a newer event already did; `contacts=None` keeps the ones on file."""
    await lock_recipient(conn, recipient_id)
    written = await conn.fetchval(_UPSERT, recipient_id, kind, display_name, language, active, as_of)
    if written and contacts is not None:
        await replace_contacts(conn, recipient_id, [(point.channel, point.address) for point in contacts])
    return bool(written)


async def arrived(uow: UnitOfWork, recipient_id: str) -> None:
    """A recipient is (now) in the directory: plan what waited for them."""
    await plan_awaiting(uow, recipient_id)


async def replace_contacts(
    conn: asyncpg.Connection, recipient_id: str, points: list[tuple[str, str]]
) -> None:
    await conn.execute("DELETE FROM contact_points WHERE recipient_id = $1", recipient_id)
    first_per_channel = list({channel: (channel, address) for channel, address in reversed(points)}.values())
    await conn.executemany(
        "INSERT INTO contact_points (recipient_id, channel, address) VALUES ($1, $2, $3)",
        [(recipient_id, channel, address) for channel, address in first_per_channel],
    )


def _contacts(sealed: str | None, key: str, person_id: str) -> list[ContactPoint] | None:
    if sealed is None:
        return []
    try:
        return list(unseal(sealed, key).points)
    except SealBroken:
        log.warning("contact details could not be unsealed; keeping the ones on file", person_id=person_id)
        return None


async def _learn(
    uow: UnitOfWork,
    recipient_id: str,
    kind: str,
    data: WatcherRegistered | WatcherUpdated | PersonRegistered | PersonUpdated,
    *,
    active: bool,
    as_of: datetime,
) -> None:
    """Keep what the event says of a person, unless a later event already said more; release what waited."""
    contacts = _contacts(data.sealed_contacts, uow.context.settings.contact_seal_key, recipient_id)
    if await upsert_recipient(
        uow.conn,
        recipient_id,
        kind=kind,
        display_name=data.display_name,
        language=data.preferred_language,
        active=active,
        as_of=as_of,
        contacts=contacts,
    ):
        await arrived(uow, recipient_id)


async def on_watcher_registered(uow: UnitOfWork, event: Event[WatcherRegistered]) -> None:
    await _learn(
        uow, event.data.watcher_id, "watcher", event.data, active=True, as_of=event.data.registered_at
    )


async def on_watcher_updated(uow: UnitOfWork, event: Event[WatcherUpdated]) -> None:
    await _learn(uow, event.data.watcher_id, "watcher", event.data, active=True, as_of=event.data.updated_at)


async def on_watcher_deactivated(uow: UnitOfWork, event: Event[WatcherDeactivated]) -> None:
    data = event.data
    await uow.conn.execute(
        """
        INSERT INTO recipients (recipient_id, kind, display_name, active, as_of) VALUES ($1, 'watcher', '', false, $2)
        ON CONFLICT (recipient_id) DO UPDATE SET active = false, as_of = excluded.as_of, updated_at = now()
        WHERE recipients.as_of <= excluded.as_of
        """,
        data.watcher_id,
        data.deactivated_at,
    )


async def on_person_registered(uow: UnitOfWork, event: Event[PersonRegistered]) -> None:
    await _learn(uow, event.data.person_id, "person", event.data, active=True, as_of=event.data.registered_at)


async def on_person_updated(uow: UnitOfWork, event: Event[PersonUpdated]) -> None:
    data = event.data
    await _learn(uow, data.person_id, "person", data, active=data.active, as_of=data.updated_at)


async def load_units(conn: asyncpg.Connection, bundle: ReferenceBundle) -> bool:
    """Load the bundle's units and their contacts, once per bundle version (False: this version is loaded).

    One transaction: a second process loading at the same time waits on the version row, then finds it.
    """
    async with conn.transaction():
        claimed = await conn.fetchval(
            """
            INSERT INTO reference_loads (bundle_name, bundle_version, units) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING RETURNING true
            """,
            bundle.manifest.name,
            bundle.manifest.version,
            len(bundle.units),
        )
        if not claimed:
            return False
        as_of = await conn.fetchval("SELECT now()")
        for unit in bundle.units:
            recipient_id = unit_recipient(unit.id)
            await lock_recipient(conn, recipient_id)  # a handler that found no unit must see it, or be seen
            await conn.execute(
                """
                INSERT INTO recipients (recipient_id, kind, display_name, active, as_of)
                VALUES ($1, 'unit', $2, true, $3)
                ON CONFLICT (recipient_id) DO UPDATE SET display_name = excluded.display_name, active = true,
                    as_of = excluded.as_of, updated_at = now()
                """,
                recipient_id,
                unit.name_zh,
                as_of,
            )
            await replace_contacts(conn, recipient_id, [(c.channel, c.address) for c in unit.contacts])
        known = [unit_recipient(unit.id) for unit in bundle.units]
        await conn.execute(
            "UPDATE recipients SET active = false WHERE kind = 'unit' AND NOT recipient_id = ANY($1::text[])",
            known,
        )
    log.info("units loaded from the reference bundle", bundle=bundle.manifest.name, units=len(bundle.units))
    return True


async def set_quiet_hours(uow: UnitOfWork, recipient_id: str, start: time | None, end: time | None) -> bool:
    """A person's own quiet hours (null: the deployment's default). False when they are not in the directory."""
    return (
        await uow.conn.fetchval(
            """UPDATE recipients SET quiet_start = $2, quiet_end = $3, updated_at = now()
               WHERE recipient_id = $1 RETURNING true""",
            recipient_id,
            start,
            end,
        )
        is not None
    )
