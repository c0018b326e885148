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
