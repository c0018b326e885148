"""Webhooks: a signed JSON POST to the recipient's URL.

Receivers check `X-Grassroots-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the shared
secret, refuse stale `X-Grassroots-Timestamp` values, and de-duplicate on `X-Grassroots-Delivery` (delivery is at
least once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

from services.notify.adapters.channels.port import (
    HttpClient,
    OutgoingMessage,
    SendResult,
    post_json,
    result_of_status,
)

SIGNATURE_HEADER = "X-Grassroots-Signature"
TIMESTAMP_HEADER = "X-Grassroots-Timestamp"
DELIVERY_HEADER = "X-Grassroots-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(message: OutgoingMessage) -> bytes:
    return json.dumps(
        {
            "delivery_id": str(message.delivery_id),
            "recipient_id": message.recipient_id,
            "event_type": message.event_type,
            "event_id": str(message.event_id),
            "purpose": message.purpose,
            "urgent": message.urgent,
            "language": message.language,
            "text": message.text,
        },
        ensure_ascii=False,
    ).encode()


class WebhookChannel:
    name = "webhook"

    def __init__(self, http: HttpClient, secret: str, now_seconds: Callable[[], int]) -> None:
        self._http = http
        self._secret = secret
        self._now_seconds = now_seconds

    async def send(self, message: OutgoingMessage) -> SendResult:
        if not message.address.startswith(("http://", "https://")):
            return SendResult.permanent("invalid address: a webhook address is an http(s) URL")
        body = webhook_body(message)
        timestamp = str(self._now_seconds())
        headers = {
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            TIMESTAMP_HEADER: timestamp,
            DELIVERY_HEADER: str(message.delivery_id),
        }
        response = await post_json(self._http, message.address, body, headers)
        return response if isinstance(response, SendResult) else result_of_status(response)
