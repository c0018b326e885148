"""The one small port every channel implements, and how a channel's answer is classified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

import aiohttp

from services.notify.adapters.channels.http_client import HttpClient, HttpResponse

Outcome = Literal["success", "transient", "permanent"]


@dataclass(frozen=True)
class OutgoingMessage:
    delivery_id: UUID
    recipient_id: str
    address: str
    text: str
    language: str
    event_type: str
    event_id: UUID
    purpose: str
    urgent: bool


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str

    @classmethod
    def success(cls, detail: str = "accepted") -> SendResult:
        return cls("success", detail)

    @classmethod
    def transient(cls, detail: str) -> SendResult:
        return cls("transient", detail)

    @classmethod
    def permanent(cls, detail: str) -> SendResult:
        return cls("permanent", detail)


class ChannelAdapter(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the channel; never raise for the channel's own failures."""
        ...


def classify_status(status: int) -> Outcome:
    """2xx success; 429 and 5xx worth retrying; any other answer will not change by retrying."""
    if 200 <= status < 300:
        return "success"
    if status == 429 or status >= 500 or status == 408:
        return "transient"
    return "permanent"


async def post_json(
    http: HttpClient, url: str, body: bytes, headers: dict[str, str] | None = None
) -> HttpResponse | SendResult:
    """POST a JSON body; a timeout or a connection failure comes back as a transient result."""
    try:
        return await http.post(
            url, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )
    except TimeoutError as error:
        return SendResult.transient(f"timeout: {type(error).__name__}")
    except aiohttp.ClientError as error:
        return SendResult.transient(f"connection failed: {type(error).__name__}")


def result_of_status(response: HttpResponse) -> SendResult:
    outcome = classify_status(response.status_code)
    return SendResult(outcome, f"HTTP {response.status_code}: {response.text[:200]}")
