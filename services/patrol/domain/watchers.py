"""Safety watchers (平安守望员): what a registration holds and the rules it must keep. No I/O."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EquipmentItem = Literal["red_armband", "red_vest"]
PairingRole = Literal["police", "auxiliary_police"]

_SEPARATORS = re.compile(r"[\s\-()]")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_COUNTRY_PREFIXES = ("+86", "0086", "86")
PHONE_RULE = "a mainland China mobile number: 11 digits starting 13 to 19, optionally after +86"


def normalise_phone(raw: str) -> str:
    """The 11 digits of a mainland mobile number, or ValueError saying what a phone must look like."""
    phone = _SEPARATORS.sub("", raw)
    for prefix in _COUNTRY_PREFIXES:
        if phone.startswith(prefix) and len(phone) == len(prefix) + 11:
            phone = phone[len(prefix) :]
            break
    if not _MAINLAND_MOBILE.match(phone):
        raise ValueError(f"not {PHONE_RULE}")
    return phone


class EquipmentIssue(BaseModel):
    """A piece of the watcher's kit (红袖标 red armband, 红马甲 red vest) and when it was handed over."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: EquipmentItem = Field(examples=["red_vest"])
    issued_on: date = Field(examples=["2026-03-01"])


class Pairing(BaseModel):
    """The police officer (民警) or auxiliary police (辅警) the watcher patrols with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: PairingRole = Field(examples=["auxiliary_police"])
    name: str = Field(min_length=1, max_length=50, examples=["李警官"])
    badge: str | None = Field(None, max_length=20, examples=["210104"])
    station: str | None = Field(None, max_length=100, examples=["文官派出所"])


def _one_per_item(equipment: list[EquipmentIssue]) -> list[EquipmentIssue]:
    items = [issue.item for issue in equipment]
    if len(set(items)) != len(items):
        raise ValueError("each item is listed once (red_armband, red_vest)")
    return sorted(equipment, key=lambda issue: issue.item)


class WatcherFields(BaseModel):
    """What an administrator records about a watcher; every field checked where it is given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str = Field(min_length=1, max_length=100, examples=["老马"])
    phone: str = Field(description=f"Personal data, {PHONE_RULE}; listed masked.", examples=["13812345678"])
    community_code: str = Field(min_length=1, examples=["WG-TJ"])
    preferred_language: str = Field("zh-CN", pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", examples=["zh-CN"])
    equipment: list[EquipmentIssue] = Field(default_factory=list)
    pairings: list[Pairing] = Field(default_factory=list, max_length=5)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("equipment")
    @classmethod
    def _equipment(cls, value: list[EquipmentIssue]) -> list[EquipmentIssue]:
        return _one_per_item(value)


class WatcherChanges(BaseModel):
    """A partial update: only the fields given change; lists given replace the old ones whole."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str | None = Field(None, min_length=1, max_length=100)
    phone: str | None = None
    community_code: str | None = Field(None, min_length=1)
    preferred_language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    equipment: list[EquipmentIssue] | None = None
    pairings: list[Pairing] | None = Field(None, max_length=5)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else normalise_phone(value)

    @field_validator("equipment")
    @classmethod
    def _equipment(cls, value: list[EquipmentIssue] | None) -> list[EquipmentIssue] | None:
        return None if value is None else _one_per_item(value)
