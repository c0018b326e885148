"""A report's public status, as its reporter sees it, from what dispatch says happened to its case.

Every event becomes one timeline entry stamped with when it happened. The current status is the newest entry,
so events arriving late or twice never move a report backwards; among entries of the same instant, the later
step of the workflow wins (`PRECEDENCE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.clock import DISTRICT_TIMEZONE

PRECEDENCE = {
    "submitted": 0,
    "returned": 1,
    "assigned": 2,
    "accepted": 3,
    "escalated": 4,
    "reopened": 5,
    "merged": 6,
    "resolved": 7,
    "withdrawn": 8,
    "cancelled": 9,
    "closed": 10,
}
CLOSED_STATUSES = frozenset({"closed", "withdrawn", "cancelled"})


@dataclass(frozen=True)
class Entry:
    event_type: str
    occurred_at: datetime
    status: str
    note: str
    unit_id: str | None = None
    deadline: datetime | None = None
    case_id: UUID | None = None

    @property
    def precedence(self) -> int:
        return PRECEDENCE[self.status]


@dataclass(frozen=True)
class PublicStatus:
    status: str
    note: str
    updated_at: datetime
    unit_id: str | None
    deadline: datetime | None
    history: list[Entry]

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


def local_time(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def summarise(history: list[Entry]) -> PublicStatus:
    """The status now, the unit answering for it and its deadline, from the timeline in any order."""
    ordered = sorted(history, key=lambda entry: (entry.occurred_at, entry.precedence))
    latest = ordered[-1]
    unit_id: str | None = None
    deadline: datetime | None = None
    for entry in ordered:
        if entry.status == "returned":
            unit_id, deadline = None, None
        if entry.unit_id is not None:
            unit_id = entry.unit_id
        if entry.deadline is not None:
            deadline = entry.deadline
    return PublicStatus(latest.status, latest.note, latest.occurred_at, unit_id, deadline, ordered)


def assigned_note(unit_name: str, deadline: datetime) -> str:
    return f"已派给{unit_name}，{local_time(deadline)}前处理"


def accepted_note(unit_name: str) -> str:
    return f"{unit_name}已受理"


def escalated_note(unit_name: str, missed: datetime) -> str:
    return f"已超过{local_time(missed)}的期限，已升级至{unit_name}督办"


def returned_note() -> str:
    return "责任单位退回，正在重新派遣"


def reassigned_note(unit_name: str, deadline: datetime) -> str:
    return f"已改派给{unit_name}，{local_time(deadline)}前处理"


def resolved_note(unit_name: str, note: str) -> str:
    return f"{unit_name}已处理：{note}" if note else f"{unit_name}已处理"


def reopened_note(unit_name: str, deadline: datetime) -> str:
    return f"核实未通过，已退回{unit_name}重新处理，{local_time(deadline)}前完成"


def closed_note(automatically: bool) -> str:
    return "已结案（超时未核实，自动结案）" if automatically else "已核实并结案"


def cancelled_note(reason: str) -> str:
    return f"报告已撤回，案件已撤销：{reason}"


def merged_note() -> str:
    return "与已有案件合并处理"


SUBMITTED_NOTE = "已上报，等待派遣"
WITHDRAWN_NOTE = "已撤回"
