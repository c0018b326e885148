"""The training service's dependencies, built once at start from its settings (tests build their own)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from shared.clock import Clock, SystemClock
from shared.reference import ReferenceBundle
from shared.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    reserve_target_per_organisation: int = Field(
        2, ge=1, description="Reserve candidates each community or village should hold (2 in Dadong: 290)."
    )
    default_finalists: int = Field(
        20, ge=1, description="Finalists a Social Worker Cup selects when the competition does not say."
    )
    load_reference_at_start: bool = Field(
        True, description="Load the reference bundle's streets and organisations when the HTTP API starts."
    )


@dataclass
class TrainingContext:
    settings: TrainingSettings
    clock: Clock
    bundle: ReferenceBundle


def build_context(settings: TrainingSettings) -> TrainingContext:
    return TrainingContext(
        settings=settings, clock=SystemClock(), bundle=ReferenceBundle.load(settings.reference_bundle)
    )
