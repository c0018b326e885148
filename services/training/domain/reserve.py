"""The reserve pool (后备力量): stages of a candidate, the one place their transitions are checked, and targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.training.domain.errors import Conflict, Forbidden, Invalid

Stage = Literal["nominated", "in_cultivation", "ready", "appointed", "removed"]
NominationChannel = Literal["organisation", "masses", "self"]  # 组织推荐、群众举荐、个人自荐
CultivationMethod = Literal["handling_affairs", "hands_off_practice", "exchange", "on_site_teaching"]

ACTIVE_STAGES: tuple[Stage, ...] = ("nominated", "in_cultivation", "ready")
_NEXT: dict[Stage, tuple[Stage, ...]] = {
    "nominated": ("in_cultivation", "removed"),
    "in_cultivation": ("ready", "removed"),
    "ready": ("appointed", "in_cultivation", "removed"),
    "appointed": (),
    "removed": (),
}


def transition(current: Stage, target: Stage, reason: str | None = None) -> Stage:
    """The stage a candidate moves to, or a Conflict naming the current stage.

    nominated → in_cultivation → ready → appointed; a ready candidate may go back to cultivation;
    any active candidate may be removed, with a reason. Appointed and removed are final.
    """
    if target not in _NEXT[current]:
        allowed = ", ".join(_NEXT[current]) or "none: it is final"
        raise Conflict("stage", f"the candidate is {current}; cannot move to {target} (allowed: {allowed})")
    if target == "removed" and not (reason and reason.strip()):
        raise Invalid("reason", "removing a candidate needs a reason")
    return target


def check_nomination_source(channel: NominationChannel, *, by_staff: bool, for_self: bool) -> None:
    """Who may record each source (组织推荐、群众举荐、个人自荐).

    The organisation's recommendation and the masses' recommendation are recorded by the district's training
    staff, who receive them; a self-nomination by the person themselves (or by staff entering a form handed in).
    """
    if channel == "self":
        if not (for_self or by_staff):
            raise Forbidden("nominated_by", "a self-nomination can be made only by the person themselves")
        return
    if not by_staff:
        label = "an organisation's" if channel == "organisation" else "the masses'"
        raise Forbidden(
            "nominated_by",
            f"{label} recommendation is recorded by training staff; nominate yourself with 'self'",
        )


@dataclass(frozen=True)
class Candidacy:
    """When a candidacy began and, once appointed or removed, when it ended."""

    nominated_at: datetime
    stage: Stage
    stage_changed_at: datetime

    def active_at(self, moment: datetime) -> bool:
        """Whether the person was a candidate at `moment`, whatever has happened since."""
        if moment < self.nominated_at:
            return False
        return self.stage in ACTIVE_STAGES or moment < self.stage_changed_at


@dataclass(frozen=True)
class OrganisationReserve:
    code: str
    candidates: int
    target: int

    @property
    def below_target(self) -> bool:
        return self.candidates < self.target

    @property
    def missing(self) -> int:
        return max(self.target - self.candidates, 0)


def pool_ratio(candidates: int, organisations: int) -> float:
    """Active candidates per organisation (2.0 when Dadong's 290 serve its 145 organisations)."""
    return round(candidates / organisations, 3) if organisations else 0.0
