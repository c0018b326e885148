"""One scope rule for every service: a person sees and acts only on what their role's community, street or unit
covers, and a token without the claim a role needs covers nothing.

What each role covers (a token with several roles covers the union):

| role | covers |
| --- | --- |
| `admin`, `service` | the whole district |
| `dispatcher`, `trainer` | the whole district; a `street` or `community` claim narrows them to it |
| `community_worker`, `watcher`, `resident` | the token's `community`, or every community of its `street`; neither: nothing |
| `handler` | the units in the token's `units` claim (the cases routed to them, their messages); none: nothing |

The `units` claim is the one source of truth for a handler's units: every service can check it from the token alone,
as it checks the community, where a membership table would live in one service's schema and be unknown to the rest.

What is a person's own (their reports, patrols, notifications, settings, training record) each service checks by
the token's subject besides. Something the caller may not see answers 404 as if it did not exist (`NotFound`);
something they see but may not change, or a filter naming a place they do not cover, answers 403 (`Forbidden`).
Routes take a `Scope` with `Depends(scoped(*roles))`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request

from shared.auth import Principal, require
from shared.errors import Forbidden, NotFound
from shared.reference import ReferenceBundle

DISTRICT_ROLES = frozenset({"admin", "service"})
DISTRICT_STAFF = frozenset({"dispatcher", "trainer"})  # district-wide unless a claim narrows them
PLACE_ROLES = frozenset({"community_worker", "watcher", "resident"})


@dataclass(frozen=True)
class Scope:
    principal: Principal
    district: bool = False
    communities: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()

    @property
    def subject(self) -> str:
        return self.principal.subject

    def covers_community(self, code: str | None) -> bool:
        return self.district or (code is not None and code in self.communities)

    def covers_street(self, code: str | None) -> bool:
        return self.district or (code is not None and code in self.streets)

    def covers_unit(self, unit_id: str | None) -> bool:
        return self.district or (unit_id is not None and unit_id in self.units)

    def covers(self, *, community_code: str | None = None, unit_id: str | None = None) -> bool:
        """A thing of a community that is routed to a unit (a case) is seen from either side."""
        return self.covers_community(community_code) or self.covers_unit(unit_id)

    def require_community(self, code: str | None, field: str = "community_code") -> None:
        if not self.covers_community(code):
            raise Forbidden(field, f"{self._who()} does not cover community {code}")

    def require_street(self, code: str | None, field: str = "street_code") -> None:
        if not self.covers_street(code):
            raise Forbidden(field, f"{self._who()} does not cover the whole of street {code}")

    def require_unit(self, unit_id: str | None, field: str = "unit_id") -> None:
        if not self.covers_unit(unit_id):
            raise Forbidden(field, f"{self._who()} does not work for unit {unit_id}")

    def reveal(self, visible: bool, field: str, what: str) -> None:
        """Answer 404 for what the caller may not see, exactly as for what does not exist."""
        if not visible:
            raise NotFound(field, f"no {what} that you may see")

    def narrow(self, requested: str | None, field: str = "community_code") -> list[str] | None:
        """The communities a list may show: the one asked for if covered (403 if not), else all the caller covers;
        None means no filter (a district-wide caller who asked for none)."""
        if requested is not None:
            self.require_community(requested, field)
            return [requested]
        return None if self.district else sorted(self.communities)

    def _who(self) -> str:
        return f"{self.subject} ({', '.join(sorted(self.principal.roles))})"


def communities_of_street(bundle: ReferenceBundle, street_code: str) -> frozenset[str]:
    return frozenset(o.code for o in bundle.organisations if o.street_code == street_code)


def scope_of(principal: Principal, bundle: ReferenceBundle) -> Scope:
    roles = principal.roles
    if roles & DISTRICT_ROLES:
        return Scope(principal, district=True)
    claimed = bool(principal.street_code or principal.community_code)
    placed = roles & (DISTRICT_STAFF | PLACE_ROLES)
    communities: set[str] = set()
    streets: set[str] = set()
    if placed and principal.street_code:
        streets.add(principal.street_code)
        communities |= communities_of_street(bundle, principal.street_code)
    if placed and principal.community_code:
        communities.add(principal.community_code)
    return Scope(
        principal,
        district=bool(roles & DISTRICT_STAFF) and not claimed,
        communities=frozenset(communities),
        streets=frozenset(streets),
        units=principal.unit_ids if "handler" in roles else frozenset(),
    )


def scoped(*roles: str):
    """A FastAPI dependency: the caller holds one of `roles` (as `require`), and what their token covers."""

    async def dependency(request: Request, principal: Principal = Depends(require(*roles))) -> Scope:
        return scope_of(principal, request.app.state.context.bundle)

    dependency.roles = roles  # type: ignore[attr-defined]  # read by shared.http.contract for the documents
    return dependency
