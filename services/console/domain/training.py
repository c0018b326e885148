"""What the training pages show: who is a trainer, the reserve pool's rows, the Cup's scoreboard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def is_trainer(roles: Iterable[str]) -> bool:
    return bool({"trainer", "admin"} & set(roles))


def reserve_rows(pool: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Organisations below target first (most missing first), then the rest, each in street and code order."""
    if not pool:
        return []
    rows = pool.get("per_organisation", [])
    return sorted(
        rows, key=lambda row: (not row["below_target"], -row["missing"], row["street_code"], row["code"])
    )


SCOREBOARD_LINES = 20  # the Cup's finalists


def scoreboard(lines: list[dict[str, Any]], names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The top of a ranking, each line with its bar's share of the leader's total (for the score bars) and the
    contestant's name where known."""
    top = lines[:SCOREBOARD_LINES]
    best = max((float(line["total"]) for line in top), default=0.0) or 1.0
    return [
        line
        | {
            "share": round(100 * float(line["total"]) / best, 1),
            "name": (names or {}).get(line["person_id"], line["person_id"]),
        }
        for line in top
    ]


def chosen_cup(cups: list[dict[str, Any]], chosen: str | None) -> dict[str, Any] | None:
    """The Cup asked for; without a choice the newest with results, else the newest (the list is newest first)."""
    if chosen:
        return next((cup for cup in cups if cup["competition_id"] == chosen), None)
    return next((cup for cup in cups if cup["status"] == "published"), cups[0] if cups else None)
