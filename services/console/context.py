"""The console's settings and dependencies: where the four APIs are, its cookies, its HTTP client."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from pydantic import Field

from services.console.adapters.broadcaster import Broadcaster
from services.console.adapters.platform import Platform
from services.console.domain.map import DistrictMap, community_centres
from shared.reference import ReferenceBundle
from shared.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    seals_contacts = False  # it signs people in and calls the APIs; contact details never pass through it
    patrol_url: str = Field("http://127.0.0.1:8001", description="Base URL of the patrol API.")
    dispatch_url: str = Field("http://127.0.0.1:8002", description="Base URL of the dispatch API.")
    notify_url: str = Field("http://127.0.0.1:8003", description="Base URL of the notify API.")
    training_url: str = Field("http://127.0.0.1:8004", description="Base URL of the training API.")
    console_public_url: str = Field(
        "http://127.0.0.1:8005",
        description="How browsers reach the console; https makes its cookies Secure.",
    )
    session_hours: float = Field(12.0, gt=0, description="How long a sign-in lasts.")
    login_failure_delay_seconds: float = Field(
        0.5, ge=0, description="Pause before answering a failed sign-in (slows password guessing)."
    )
    api_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one call to the four APIs.")
    map_tile_url: str = Field(
        "",
        description="A slippy-map tile server under the case map, `http://tiles.example/{z}/{x}/{y}.png` "
        "(fetched by the console, so browsers load nothing from elsewhere); empty: the grid polygons alone.",
    )

    @property
    def secure_cookies(self) -> bool:
        return self.console_public_url.startswith("https://")

    def service_urls(self) -> dict[str, str]:
        return {
            "patrol": self.patrol_url,
            "dispatch": self.dispatch_url,
            "notify": self.notify_url,
            "training": self.training_url,
        }


@dataclass
class ConsoleContext:
    settings: ConsoleSettings
    bundle: ReferenceBundle
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    district_map: DistrictMap | None = None  # drawn from the bundle on first use
    platform: Platform = field(init=False)
    _names: dict[str, tuple[str, str]] | None = field(default=None, init=False, repr=False)
    _centres: dict[str, tuple[float, float]] | None = field(default=None, init=False, repr=False)

    def community_centres(self) -> dict[str, tuple[float, float]]:
        """Community code → (lat, lon) of its middle, from the bundle's grid cells."""
        if self._centres is None:
            self._centres = community_centres(self.bundle)
        return self._centres

    def names(self) -> dict[str, tuple[str, str]]:
        """Code → (Chinese name, English name) of every category, community, street and unit in the bundle."""
        if self._names is None:
            bundle = self.bundle
            things = [*bundle.categories, *bundle.organisations, *bundle.streets]
            self._names = {thing.code: (thing.name_zh, thing.name_en) for thing in things}
            self._names |= {unit.id: (unit.name_zh, unit.name_en) for unit in bundle.units}
        return self._names

    def __post_init__(self) -> None:
        client = httpx.AsyncClient(timeout=self.settings.api_timeout_seconds)
        self.platform = Platform(client, self.settings.service_urls())


def build_context(settings: ConsoleSettings) -> ConsoleContext:
    return ConsoleContext(settings=settings, bundle=ReferenceBundle.load(settings.reference_bundle))
