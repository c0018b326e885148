"""A hazard report or a resident's need (随手拍): what makes one acceptable, and who its reporter is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import get_args

from shared.errors import Conflict, Invalid, NotFound
from shared.events.catalogue.common import ReporterKind, Severity
from shared.reference import Category, ReferenceBundle
from shared.scope import Scope

SEVERITIES: tuple[str, ...] = get_args(Severity)
MAX_DESCRIPTION = 4000  # Open311 GeoReport v2's limit, kept for every channel
REPORTING_ROLES = ("watcher", "community_worker", "resident")


class ReportRejected(Invalid):
    """A field's value that cannot be accepted: 422 naming it."""


@dataclass(frozen=True)
class Reporter:
    kind: ReporterKind
    id: str | None
    submitted_by: str | None  # who may see and withdraw it, even when it is anonymous in its event
    community_code: str | None = None


def reporter_from(
    subject: str, roles: Iterable[str], community_code: str | None, *, anonymous: bool
) -> Reporter:
    """The reporter a token speaks for: its most specific reporting role; admins report as community workers."""
    held = set(roles)
    kind: ReporterKind = next((role for role in REPORTING_ROLES if role in held), "community_worker")  # type: ignore[assignment]
    if anonymous:
        return Reporter("anonymous", None, subject, community_code)
    return Reporter(kind, subject, subject, community_code)


def may_read(scope: Scope, submitted_by: str | None, community_code: str, unit_id: str | None) -> bool:
    """A report is seen by its author, the dispatchers and community workers whose scope covers its community, and
    the handlers of the unit its case is routed to."""
    principal = scope.principal
    if submitted_by == principal.subject:
        return True
    if principal.has_any("dispatcher", "community_worker") and scope.covers_community(community_code):
        return True
    return principal.has_any("handler") and scope.covers_unit(unit_id)


@dataclass(frozen=True)
class ReportDraft:
    category: str
    description: str
    kind: str | None = None
    severity: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    address_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedReport:
    category: Category
    kind: str
    severity: str
    description: str
    address: str | None
    attributes: dict[str, str]


def check_draft(bundle: ReferenceBundle, draft: ReportDraft) -> CheckedReport:
    """Category known, kind matching it, severity known (the category's by default), description present."""
    category = next((c for c in bundle.categories if c.code == draft.category), None)
    if category is None:
        raise ReportRejected("category", f"unknown category {draft.category!r}; see GET /categories")
    kind = draft.kind or category.kind
    if kind not in ("hazard", "need"):
        raise ReportRejected("kind", f"{kind!r} is neither 'hazard' nor 'need'")
    if kind != category.kind:
        raise ReportRejected("kind", f"category {category.code} is a {category.kind}, not a {kind}")
    severity = draft.severity or category.default_severity
    if severity not in SEVERITIES:
        raise ReportRejected("severity", f"{severity!r} is not one of {list(SEVERITIES)}")
    description = draft.description.strip()
    if not description:
        raise ReportRejected("description", "describe what you saw")
    if len(description) > MAX_DESCRIPTION:
        raise ReportRejected("description", f"at most {MAX_DESCRIPTION} characters")
    address = (draft.address or "").strip() or None
    if address and len(address) > 300:
        raise ReportRejected("address", "at most 300 characters")
    return CheckedReport(
        category, kind, severity, description, address, _attributes(category, draft.attributes)
    )


def _attributes(category: Category, given: dict[str, str]) -> dict[str, str]:
    """The category's attributes, checked against their datatype; values for attributes it lacks are dropped."""
    kept: dict[str, str] = {}
    for attribute in category.attributes:
        field, value = f"attribute[{attribute.code}]", (given.get(attribute.code) or "").strip()
        if not value:
            if attribute.required:
                raise ReportRejected(field, f"{attribute.description} is required")
            continue
        keys = {v.key for v in attribute.values}
        chosen = value.split(",") if attribute.datatype == "multivaluelist" else [value]
        if attribute.datatype in ("singlevaluelist", "multivaluelist") and not set(chosen) <= keys:
            raise ReportRejected(field, f"{value!r} is not one of {sorted(keys)}")
        if attribute.datatype == "number":
            try:
                float(value)
            except ValueError:
                raise ReportRejected(field, f"{value!r} is not a number") from None
        kept[attribute.code] = value
    return kept


class ReportNotFound(NotFound):
    def __init__(self, report_id: object) -> None:
        super().__init__("report_id", f"no report {report_id} that you may see")


class ReportConflict(Conflict):
    """The report is in a state that does not allow this; `state` names it."""

    def __init__(self, state: str, reason: str) -> None:
        super().__init__(f"the report is {state}: {reason}", state=state)
        self.reason = reason
