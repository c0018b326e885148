"""What a service declares about itself, in one place: what it consumes, what it publishes, what it serves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from shared.events.registry import EventData
from shared.messaging.consumer import Subscription
from shared.settings import ServiceSettings


def _no_context(_settings: ServiceSettings) -> None:
    return None


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    description: str
    directory: Path = field(
        metadata={"doc": "the service's folder: migrations/ and asyncapi.yaml live there"}
    )
    http_port: int
    subscriptions: Sequence[Subscription] = ()
    publishes: Sequence[type[EventData]] = ()
    routers: Sequence[APIRouter] = ()
    settings_class: type[ServiceSettings] = ServiceSettings
    context_factory: Callable[[Any], Any] = field(
        default=_no_context,
        metadata={
            "doc": "builds the service's dependencies (clock, storage, ...) from its settings, at start"
        },
    )
    commands: Mapping[str, Callable[[Any, Any], Awaitable[object]]] = field(
        default_factory=dict,
        metadata={
            "doc": "operator commands beside run/migrate/asyncapi, e.g. load-reference: `python -m services.<name> "
            "<command>`; each is called with the settings and the dependencies and returns what it did"
        },
    )
    background: Sequence[Callable[[Any], Awaitable[None]]] = field(
        default=(),
        metadata={
            "doc": "long-running tasks (a sweeper...), each given the ServiceRuntime; started after the "
            "consumers under the runtime's supervisor (restarted after a failure, named by /readyz), cancelled "
            "first on stop"
        },
    )
    readiness: Callable[[Any], Awaitable[Mapping[str, str]]] | None = field(
        default=None,
        metadata={
            "doc": "the service's own checks for /readyz, given the ServiceRuntime: name → 'ok' or what is wrong"
        },
    )

    metrics_probes: Sequence[Callable[[Any, Any], Awaitable[None]]] = field(
        default=(),
        metadata={
            "doc": "queries run at scrape time of /metrics (at most every few seconds), each given the "
            "ServiceRuntime and its ServiceMetrics, setting the service's own gauges"
        },
    )

    @property
    def source(self) -> str:
        """The CloudEvents `source` of everything this service publishes."""
        return f"/services/{self.name}"

    @property
    def consumed_event_types(self) -> list[str]:
        return [subscription.event_type for subscription in self.subscriptions]
