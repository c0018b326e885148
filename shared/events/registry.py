"""The event catalogue's registry: one pydantic model per (event type, version)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """Base of every event payload. Consumers ignore fields they do not know (rule 2 of the road)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int]
    subject_field: ClassVar[str | None] = None

    def subject(self) -> str | None:
        """The aggregate the event is about, published as the CloudEvents `subject`."""
        if self.subject_field is None:
            return None
        return str(getattr(self, self.subject_field))


E = TypeVar("E", bound=type[EventData])

_CATALOGUE: dict[tuple[str, int], type[EventData]] = {}


class UnknownEventType(LookupError):
    """The (type, version) pair is not in the catalogue."""


def event(event_type: str, *, version: int = 1, subject: str | None = None):
    """Register a payload model as the schema of `event_type` at `version`.

    `subject` names the field that identifies the aggregate (a report id, a case id...).
    """

    def register(model: E) -> E:
        key = (event_type, version)
        if key in _CATALOGUE and _CATALOGUE[key] is not model:
            raise ValueError(f"{event_type} v{version} is registered twice")
        model.event_type = event_type
        model.version = version
        model.subject_field = subject
        _CATALOGUE[key] = model
        return model

    return register


def model_for(event_type: str, version: int) -> type[EventData]:
    from shared.events import catalogue  # noqa: F401  (importing it fills the registry)

    try:
        return _CATALOGUE[(event_type, version)]
    except KeyError:
        known = sorted(v for t, v in _CATALOGUE if t == event_type)
        detail = f"known versions {known}" if known else "no such event type"
        raise UnknownEventType(f"{event_type} v{version}: {detail}") from None


def all_event_models() -> list[type[EventData]]:
    from shared.events import catalogue  # noqa: F401

    return [_CATALOGUE[key] for key in sorted(_CATALOGUE)]
