"""Value types shared by several events."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["low", "normal", "high", "urgent"]
ReporterKind = Literal["watcher", "community_worker", "resident", "anonymous", "open311"]


def case_number_field():  # a new FieldInfo for each model that carries it
    """The case's short number, the one people read and say (added within version 1: older events carry none)."""
    return Field(None, description="The case's short number, as people read it.", examples=["DD-2026-000123"])


class PersonRef(BaseModel):
    """Who, by reference only: contact details never travel in events."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ReporterKind = Field(description="What kind of person this is.", examples=["watcher"])
    id: str | None = Field(
        None,
        description="The person's id in the service that owns them; null when anonymous.",
        examples=["w-0001"],
    )


class Location(BaseModel):
    """Where something is: coordinates (WGS 84), an address, or both."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    lat: float | None = Field(None, ge=-90, le=90, description="Latitude, WGS 84.", examples=[41.8139])
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude, WGS 84.", examples=[123.4762])
    address: str | None = Field(
        None, max_length=300, description="Free-text address.", examples=["团结社区 7号楼 3单元"]
    )
