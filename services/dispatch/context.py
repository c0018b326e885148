"""The dispatch service's dependencies, built once at start from its settings (tests build their own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import Field, field_validator

from services.dispatch.domain.policy import Policy
from services.dispatch.handlers.routing_cache import RoutingCache, routing_cache
from shared.clock import Clock, SystemClock
from shared.reference import ReferenceBundle
from shared.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    seals_contacts = False
    deadline_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 2, "high": 24, "normal": 72, "low": 168},
        description="Time a unit has to resolve a case, by severity (JSON object, hours).",
    )
    category_deadline_hours: dict[str, float] = Field(
        default_factory=dict,
        description="Shorter periods for some categories (`code` or `prefix.*` → hours); the shorter one wins.",
    )
    merge_distance_m: float = Field(50.0, gt=0, description="Reports this close (metres) may merge.")
    merge_window_hours: float = Field(
        72.0, gt=0, description="A report merges into an open case reported at most this long before it."
    )
    auto_close_hours: float = Field(
        168.0, gt=0, description="A resolved case nobody verifies closes itself after this long."
    )
    sweep_interval_seconds: float = Field(
        60.0, gt=0, description="How often the sweeper escalates overdue cases and auto-closes resolved ones."
    )
    routing_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="How long routing keeps units and rules in memory before reading them again. The process's "
        "own admin edits and bundle loads take effect at once; another replica's within this time. 0 reads them "
        "for every report.",
    )
    case_number_prefix: str = Field(
        "DD",
        pattern=r"^[A-Z]{1,6}$",
        description="Starts every case number (DD-2026-000123): the district's short code.",
    )
    load_reference_on_start: bool = Field(
        True,
        description="Load the reference bundle's units and rules at start (a no-op when already loaded).",
    )

    @field_validator("deadline_hours")
    @classmethod
    def _every_severity_has_a_period(cls, value: dict[str, float]) -> dict[str, float]:
        missing = sorted({"urgent", "high", "normal", "low"} - set(value))
        if missing:
            raise ValueError(f"no deadline for severities {missing}")
        if any(hours <= 0 for hours in value.values()):
            raise ValueError("deadlines must be positive")
        return value

    def policy(self) -> Policy:
        return Policy(
            deadlines={key: timedelta(hours=hours) for key, hours in self.deadline_hours.items()},
            category_deadlines={
                key: timedelta(hours=hours) for key, hours in self.category_deadline_hours.items()
            },
            merge_distance_m=self.merge_distance_m,
            merge_window=timedelta(hours=self.merge_window_hours),
            auto_close_after=timedelta(hours=self.auto_close_hours),
        )


@dataclass
class DispatchContext:
    settings: DispatchSettings
    clock: Clock
    bundle: ReferenceBundle
    policy: Policy = field(init=False)
    routing: RoutingCache = field(init=False)

    def __post_init__(self) -> None:
        self.policy = self.settings.policy()
        self.routing = routing_cache(self.clock, timedelta(seconds=self.settings.routing_cache_seconds))


def build_context(settings: DispatchSettings) -> DispatchContext:
    return DispatchContext(
        settings=settings, clock=SystemClock(), bundle=ReferenceBundle.load(settings.reference_bundle)
    )
