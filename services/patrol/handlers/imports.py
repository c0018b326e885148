"""Bulk import of watchers from a CSV: the good rows in one transaction, every bad row reported with its reason.

A file with some bad rows still imports its good rows (the report lists what to fix and re-send); a file whose
header is wrong imports nothing. `dry_run` checks everything, duplicates against the register included, and
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from services.patrol.domain.csv_import import decode, parse_watchers_csv
from services.patrol.handlers.watchers import active_phones, community_names, register_watchers
from shared.unit_of_work import UnitOfWork


async def import_watchers(
    uow: UnitOfWork,
    content: bytes,
    *,
    dry_run: bool = False,
    covers: Callable[[str], bool] = lambda _community: True,
) -> dict[str, Any]:
    """`covers` says which communities the importer may register watchers in; other rows are rejected."""
    parsed = parse_watchers_csv(decode(content), community_names(uow.context.bundle))
    parsed.reject_outside(covers)
    # Serialise imports so two files with the same people cannot both pass the duplicate check.
    await uow.conn.execute("SELECT pg_advisory_xact_lock(hashtext('patrol.watchers.import'))")
    parsed.reject_registered(await active_phones(uow.conn, [row.fields.phone for row in parsed.rows]))
    ids = [] if dry_run else await register_watchers(uow, [row.fields for row in parsed.rows])
    return {
        "dry_run": dry_run,
        "rows": parsed.data_rows,
        "accepted": len(parsed.rows),
        "imported": len(ids),
        "rejected": len(parsed.rejected_rows),
        "rejects": [asdict(reject) for reject in parsed.rejects],
        "ignored_columns": parsed.ignored_columns,
        "watchers": [
            {"row": row.row, "watcher_id": watcher_id}
            for row, watcher_id in zip(parsed.rows, ids, strict=False)
        ],
    }
