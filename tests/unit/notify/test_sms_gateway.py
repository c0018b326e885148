"""The SMS gateway adapter: JSON POST {to, text, reference}; answers classified; bad numbers never sent."""

from __future__ import annotations

import json
import socket
import uuid

from services.notify.adapters.channels.port import OutgoingMessage
from services.notify.adapters.channels.sms import SmsGatewayChannel


def _message(address: str) -> OutgoingMessage:
    return OutgoingMessage(
        delivery_id=uuid.uuid4(),
        recipient_id="w-1",
        address=address,
        text="【值守提醒】明天 08:00 值守",
        language="zh-CN",
        event_type="patrol.shift.scheduled",
        event_id=uuid.uuid4(),
        purpose="reminder:-1d@20:00",
        urgent=False,
    )


async def test_the_gateway_gets_the_number_text_and_delivery_reference_and_its_answers_are_classified(
    local_http, http
):
    local_http.answers = [(200, {}), (503, {}), (400, {})]
    channel = SmsGatewayChannel(http, local_http.url("/send"), token="t0k")
    message = _message("138-0000-1111")
    outcomes = [(await channel.send(message)).outcome for _ in range(3)]
    refused = await channel.send(_message("not a phone"))
    assert outcomes == ["success", "transient", "permanent"]
    assert refused.outcome == "permanent" and len(local_http.seen) == 3
    body = json.loads(local_http.seen[0].body)
    assert body == {"to": "13800001111", "text": message.text, "reference": str(message.delivery_id)}
    assert local_http.seen[0].headers["Authorization"] == "Bearer t0k"


async def test_a_gateway_that_cannot_be_reached_is_a_transient_failure(http):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    result = await SmsGatewayChannel(http, f"http://127.0.0.1:{closed_port}/send").send(
        _message("13800001111")
    )
    assert result.outcome == "transient" and "connection failed" in result.detail
