"""The development channel: the message goes to the log (and to `sent`, for tests)."""

from __future__ import annotations

from services.notify.adapters.channels.port import OutgoingMessage, SendResult
from shared.logging import get_logger

log = get_logger(__name__)


class LogChannel:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> SendResult:
        # The log channel's addresses are unit or test labels, never personal contact details.
        log.info(
            "notification (log channel)",
            delivery_id=str(message.delivery_id),
            recipient_id=message.recipient_id,
            event_type=message.event_type,
            purpose=message.purpose,
            text=message.text,
        )
        self.sent.append(message)
        return SendResult.success("logged")
