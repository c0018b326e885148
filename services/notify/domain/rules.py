"""Rules as data: which event tells whom, on which channel, how urgently, with which template and reminders.

A rule's recipient selector is one of a small closed set of kinds:

- `unit:<unit id>`                  a fixed unit's contacts (e.g. `unit:district-office`, the dispatchers)
- `unit_from_field:<field>`         the unit named by a field of the event (e.g. `unit_from_field:unit_id`)
- `person_from_field:<field>`       the person named by a field (a person id, or a person reference with an `id`)
- `people_from_list:<field>`        everyone in a list field (person ids or references; those without an id skipped)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

SelectorKind = Literal["unit", "unit_from_field", "person_from_field", "people_from_list"]
SELECTOR_KINDS: tuple[str, ...] = ("unit", "unit_from_field", "person_from_field", "people_from_list")
Urgency = Literal["normal", "urgent", "by_severity"]
CancelScope = Literal["recipients", "all"]
UNIT_PREFIX = "unit:"
_SELECTOR = re.compile(r"^(?P<kind>[a-z_]+):(?P<argument>[A-Za-z0-9_.\-]+)$")


class InvalidSelector(ValueError):
    pass


def parse_selector(selector: str) -> tuple[str, str]:
    match = _SELECTOR.match(selector)
    if match is None or match["kind"] not in SELECTOR_KINDS:
        raise InvalidSelector(
            f"selector {selector!r} is not one of {[kind + ':<argument>' for kind in SELECTOR_KINDS]}"
        )
    return match["kind"], match["argument"]


def unit_recipient(unit_id: str) -> str:
    """Units live in the directory beside people, under `unit:<unit id>`."""
    return UNIT_PREFIX + unit_id


def _person_id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    return str(value)


def select_recipients(selector: str, data: dict[str, Any]) -> list[str]:
    """The directory keys a selector picks from an event's data, in order, without duplicates."""
    kind, argument = parse_selector(selector)
    if kind == "unit":
        found: list[str | None] = [unit_recipient(argument)]
    elif kind == "unit_from_field":
        value = data.get(argument)
        found = [unit_recipient(str(value)) if value else None]
    elif kind == "person_from_field":
        found = [_person_id(data.get(argument))]
    else:
        found = [_person_id(item) for item in data.get(argument) or []]
    return list(dict.fromkeys(key for key in found if key))


def is_urgent(urgency: str, data: dict[str, Any]) -> bool:
    if urgency == "urgent":
        return True
    if urgency == "by_severity":
        return data.get("severity") == "urgent"
    return False


_KEY_FIELD = re.compile(r"\{([A-Za-z0-9_]+)\}")


def format_key(pattern: str, data: dict[str, Any]) -> str:
    """`shift:{shift_id}` → `shift:s-42`: the key that ties reminders to what they remind of."""
    return _KEY_FIELD.sub(lambda match: str(data.get(match[1], "")), pattern)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    event_type: str
    selector: str
    channels: list[str]
    urgency: str = "normal"
    template: str | None = None
    all_channels: bool = False
    reminders: list[str] = field(default_factory=list)
    reminder_field: str | None = None
    reminder_key: str | None = None
    cancels_reminders: str | None = None
    enabled: bool = True

    @classmethod
    def from_row(cls, row: Any) -> Rule:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def channels_for(self, available: list[str]) -> list[str]:
        """The rule's channels the recipient can be reached on: the first one, or all of them."""
        usable = [channel for channel in self.channels if channel in available]
        return usable if self.all_channels else usable[:1]
