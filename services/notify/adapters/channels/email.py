"""E-mail over SMTP (aiosmtplib): the first line of the rendered text is the subject, all of it the body."""

from __future__ import annotations

import re
from email.message import EmailMessage

import aiosmtplib

from services.notify.adapters.channels.port import OutgoingMessage, SendResult

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def build_email(message: OutgoingMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.address
    email["Subject"] = message.text.strip().splitlines()[0][:120] if message.text.strip() else "通知"
    email["X-Grassroots-Delivery"] = str(message.delivery_id)
    email["Content-Language"] = message.language
    email.set_content(message.text)
    return email


class SmtpChannel:
    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        use_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._options = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": start_tls,
            "use_tls": use_tls,
            "timeout": timeout,
        }
        self._sender = sender

    async def send(self, message: OutgoingMessage) -> SendResult:
        if not _ADDRESS.match(message.address):
            return SendResult.permanent("invalid address: not an e-mail address")
        try:
            await aiosmtplib.send(build_email(message, self._sender), **self._options)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [response.code for response in error.recipients]
            transient = all(400 <= code < 500 for code in codes)
            return SendResult("transient" if transient else "permanent", f"recipient refused: SMTP {codes}")
        except aiosmtplib.SMTPResponseException as error:
            outcome = "transient" if 400 <= error.code < 500 else "permanent"
            return SendResult(outcome, f"SMTP {error.code}: {error.message[:200]}")
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            return SendResult.transient(f"SMTP connection: {type(error).__name__}")
        return SendResult.success("accepted by the SMTP relay")
