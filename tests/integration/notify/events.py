"""Events as the other services publish them, for the notify tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.dispatch import DispatchAssigned


def dispatch_assigned(
    at: datetime, *, unit_id: str = "pm-test-01", severity: str = "high"
) -> DispatchAssigned:
    return DispatchAssigned(
        case_id=uuid.uuid4(),
        report_ids=[uuid.uuid4()],
        unit_id=unit_id,
        category="fire.balcony-storage",
        severity=severity,
        community_code="WG-TJ",
        street_code="WG",
        deadline=at + timedelta(days=2),
        reason="rule fire.* community WG-TJ → property_company",
        assigned_at=at,
    )


def watcher_ref(watcher_id: str) -> PersonRef:
    return PersonRef(kind="watcher", id=watcher_id)
