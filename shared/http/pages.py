"""One shape for every list an API answers: a page `{items, total, limit, offset}`, asked for with `limit`
(1 to the list's maximum; above it is a 422) and `offset`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="This page's items, in the list's order.")
    total: int = Field(description="How many items the list holds in all (with the same filters).")
    limit: int = Field(description="The most items a page holds, as asked.")
    offset: int = Field(description="How many items come before this page.")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int

    def of(self, items: list[T], total: int) -> Page[T]:
        return Page[T](items=items, total=total, limit=self.limit, offset=self.offset)

    def cut(self, items: list[T]) -> Page[T]:
        """A page of a list held whole in memory (a short one: reference data, a person's own)."""
        return self.of(items[self.offset : self.offset + self.limit], len(items))


def paging(default: int = 50, maximum: int = MAX_LIMIT):
    """A FastAPI dependency: the page a request asks for."""

    async def dependency(
        limit: int = Query(default, ge=1, le=maximum, description=f"At most {maximum}."),
        offset: int = Query(0, ge=0, le=2**31 - 1, description="How many items to skip."),
    ) -> PageRequest:
        return PageRequest(limit, offset)

    return dependency
