"""The patrol service's dependencies, built once at start from its settings (tests build their own)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from services.patrol.adapters.photo_store import FilesystemPhotoStore, PhotoStore
from services.patrol.handlers.photos import PhotoCleaner
from shared.clock import Clock, SystemClock
from shared.reference import ReferenceBundle
from shared.settings import ServiceSettings


class PatrolSettings(ServiceSettings):
    photo_dir: Path = Field(
        Path("var/photos"), description="Where report photos are stored (a volume in compose)."
    )
    public_base_url: str = Field(
        "",
        description="How clients reach this service (behind a proxy: the proxy's address); photo URLs and the "
        "Open311 discovery are built from it. Empty: this process's own port on 127.0.0.1, for development.",
    )
    max_photo_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="Largest photo accepted.")
    photo_decode_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Photos decoded at once (default: the number of cores); each holds up to 64 MB while it does.",
    )
    photo_decode_wait_seconds: float = Field(
        2.0, ge=0, description="How long a photo waits for a decoding slot before the upload is answered 503."
    )
    open311_contact: str = Field(
        "大东区基层治理指挥中心 Dadong district governance centre",
        description="Who to contact about the Open311 API (its discovery document says so).",
    )

    def model_post_init(self, __context: object) -> None:
        super().model_post_init(__context)
        if not self.public_base_url:
            self.public_base_url = f"http://127.0.0.1:{self.http_port}"


@dataclass
class PatrolContext:
    settings: PatrolSettings
    clock: Clock
    bundle: ReferenceBundle
    photos: PhotoStore
    # the bundle version known to be in the schema, so the check runs once per process
    reference_loaded: set[str] = field(default_factory=set)
    photo_cleaner: PhotoCleaner = field(init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        self.photo_cleaner = PhotoCleaner(
            settings.photo_decode_concurrency, settings.photo_decode_wait_seconds, settings.max_photo_bytes
        )

    def photo_url(self, file_name: str) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/photos/{file_name}"


def build_context(settings: PatrolSettings) -> PatrolContext:
    return PatrolContext(
        settings=settings,
        clock=SystemClock(),
        bundle=ReferenceBundle.load(settings.reference_bundle),
        photos=FilesystemPhotoStore(settings.photo_dir),
    )
