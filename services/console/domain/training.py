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


def scoreboard(lines: list[dict[str, Any]], limit: int = 20) -> list[dict[str, Any]]:
    """The top of a ranking, each line with its bar's share of the leader's total (for the score bars)."""
    top = lines[:limit]
    best = max((float(line["total"]) for line in top), default=0.0) or 1.0
    return [line | {"share": round(100 * float(line["total"]) / best, 1)} for line in top]
