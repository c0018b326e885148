"""Rules CRUD (admin): which event tells whom, on which channels, with which template and reminders."""

from __future__ import annotations

from typing import Literal

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, Field, field_validator, model_validator

from services.notify.adapters.channels import CHANNEL_NAMES
from services.notify.domain.rules import Rule, parse_selector
from services.notify.domain.schedule import parse_reminder
from services.notify.handlers.rules import delete_rule, editing_rules, get_rule, list_rules, save_rule
from services.notify.subscriptions import RULE_EVENT_TYPES
from shared.auth import Principal, require
from shared.errors import Invalid, NotFound
from shared.http.pages import Page, PageRequest, paging
from shared.runtime.app import context_of, pool_of, source_of

router = APIRouter(prefix="/rules", tags=["rules"])
RULE_ID = Path(
    pattern=r"^[a-z0-9][a-z0-9.\-]{1,79}$", description="A readable id, e.g. dispatch-assigned-unit."
)


class RuleBody(BaseModel):
    event_type: str = Field(examples=["dispatch.assigned"])
    selector: str = Field(
        examples=["unit_from_field:unit_id"],
        description="unit:, unit_from_field:, "
        "person_from_field: or people_from_list: followed by a unit id or a field name.",
    )
    channels: list[str] = Field(
        min_length=1, examples=[["wecom", "sms", "log"]], description="In preference order."
    )
    all_channels: bool = Field(
        False, description="Send on every listed channel the recipient has, not the first."
    )
    urgency: Literal["normal", "urgent", "by_severity"] = "normal"
    template: str | None = Field(
        None, examples=["dispatch.assigned"], description="Null: the rule sends nothing."
    )
    reminders: list[str] = Field(default_factory=list, examples=[["-1d", "-1h"]])
    reminder_field: str | None = Field(None, examples=["starts_at"])
    reminder_key: str | None = Field(None, examples=["session:{session_id}"])
    cancels_reminders: Literal["recipients", "all"] | None = None
    enabled: bool = True

    @field_validator("event_type")
    @classmethod
    def _consumed(cls, value: str) -> str:
        if value not in RULE_EVENT_TYPES:
            raise ValueError(f"notify does not consume {value!r}; rules can name {RULE_EVENT_TYPES}")
        return value

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        parse_selector(value)
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        unknown = [channel for channel in value if channel not in CHANNEL_NAMES]
        if unknown:
            raise ValueError(f"unknown channels {unknown}; known: {list(CHANNEL_NAMES)}")
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: list[str]) -> list[str]:
        for spec in value:
            parse_reminder(spec)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RuleBody:
        if self.reminders and not (self.reminder_field and self.template):
            raise ValueError("reminders need a reminder_field (the start time) and a template")
        if self.cancels_reminders and not self.reminder_key:
            raise ValueError("cancels_reminders needs a reminder_key")
        return self


class RuleOut(RuleBody):
    rule_id: str


def _out(rule: Rule) -> RuleOut:
    return RuleOut.model_construct(**rule.__dict__)


@router.get("", summary="Every rule, by event type")
async def rules(
    event_type: str | None = Query(None),
    page: PageRequest = Depends(paging(100)),
    _: Principal = Depends(require("admin")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[RuleOut]:
    async with pool.acquire() as conn:
        return page.cut([_out(rule) for rule in await list_rules(conn, event_type)])


@router.get("/{rule_id}", summary="One rule")
async def rule(
    rule_id: str = RULE_ID, _: Principal = Depends(require("admin")), pool: asyncpg.Pool = Depends(pool_of)
) -> RuleOut:
    async with pool.acquire() as conn:
        found = await get_rule(conn, rule_id)
    if found is None:
        raise NotFound("rule_id", f"no rule {rule_id}")
    return _out(found)


@router.put(
    "/{rule_id}",
    summary="Create (201) or replace (200) a rule",
    responses={201: {"model": RuleOut, "description": "The rule was created."}},
)
async def put_rule(
    body: RuleBody,
    response: Response,
    rule_id: str = RULE_ID,
    _: Principal = Depends(require("admin")),
    pool: asyncpg.Pool = Depends(pool_of),
    context=Depends(context_of),
    source: str = Depends(source_of),
) -> RuleOut:
    templates = [body.template, f"{body.template}.reminder" if body.reminders else None]
    missing = [name for name in templates if name and not context.renderer.exists(name)]
    if missing:
        raise Invalid("template", f"no template folder {missing}")
    rule = Rule(rule_id=rule_id, **body.model_dump())
    async with editing_rules(pool, source, context) as uow:
        created = await save_rule(uow, rule)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _out(rule)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a rule")
async def remove_rule(
    rule_id: str = RULE_ID,
    _: Principal = Depends(require("admin")),
    pool: asyncpg.Pool = Depends(pool_of),
    context=Depends(context_of),
    source: str = Depends(source_of),
) -> None:
    async with editing_rules(pool, source, context) as uow:
        if not await delete_rule(uow, rule_id):
            raise NotFound("rule_id", f"no rule {rule_id}")
