"""SMS through a configurable HTTP gateway: JSON POST {to, text, reference} to SMS_GATEWAY_URL."""

from __future__ import annotations

import json
import re

from services.notify.adapters.channels.port import (
    HttpClient,
    OutgoingMessage,
    SendResult,
    post_json,
    result_of_status,
)
from shared.contacts import mask_phone
from shared.logging import get_logger

log = get_logger(__name__)
_PHONE = re.compile(r"^\+?\d{7,15}$")


class SmsGatewayChannel:
    name = "sms"

    def __init__(self, http: HttpClient, url: str | None, token: str | None = None) -> None:
        self._http = http
        self._url = url
        self._token = token

    async def send(self, message: OutgoingMessage) -> SendResult:
        if not self._url:
            return SendResult.permanent("no SMS gateway configured (SMS_GATEWAY_URL)")
        phone = message.address.replace(" ", "").replace("-", "")
        if not _PHONE.match(phone):
            return SendResult.permanent("invalid address: not a phone number")
        body = json.dumps(
            {"to": phone, "text": message.text, "reference": str(message.delivery_id)}, ensure_ascii=False
        ).encode()
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        response = await post_json(self._http, self._url, body, headers)
        return response if isinstance(response, SendResult) else result_of_status(response)


class DevelopmentSmsChannel:
    """Where no SMS gateway is configured in development (`make run`): the text is recorded, not sent, so that a
    newcomer sees what a watcher would be told. Production has no such stand-in: there, a recipient reachable only
    by SMS without a gateway is reported unreachable."""

    name = "sms"
    stand_in = True  # planning prefers any channel that really delivers

    async def send(self, message: OutgoingMessage) -> SendResult:
        log.info(
            "text message recorded, not sent: no SMS gateway in development",
            delivery_id=str(message.delivery_id),
            recipient_id=message.recipient_id,
            to=mask_phone(message.address),
            text=message.text,
        )
        return SendResult.success("recorded, not sent (development: no SMS_GATEWAY_URL)")
