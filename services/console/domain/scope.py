"""What part of the district a person's pages show: a dispatcher of a street or community sees only it."""

from __future__ import annotations

from dataclasses import dataclass

BOARD_FILTERS = ("street_code", "community_code", "category", "status", "overdue")


@dataclass(frozen=True)
class Scope:
    street_code: str | None = None
    community_code: str | None = None

    def board_query(self, requested: dict[str, str]) -> dict[str, str]:
        """The board's filters as asked, with the person's own street and community imposed."""
        query = {key: value for key, value in requested.items() if key in BOARD_FILTERS and value}
        if self.street_code:
            query["street_code"] = self.street_code
        if self.community_code:
            query["community_code"] = self.community_code
        return query

    def covers(self, case: dict) -> bool:
        if self.community_code and case.get("community_code") != self.community_code:
            return False
        return not (self.street_code and case.get("street_code") != self.street_code)
