"""Contact details travel sealed: encrypted for the notify service, opaque to everyone else.

Phone numbers and addresses are personal data. Events that introduce a person (`watcher.registered`,
`person.registered`, ...) carry them as a Fernet token under the key CONTACT_SEAL_KEY, which only the producing
service and notify hold. Logs, recordings of the event stream and every other consumer see an opaque string.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["sms", "email", "wecom", "dingtalk", "webhook"]


class ContactPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel: Channel
    address: str = Field(
        min_length=1, max_length=500, description="Phone, e-mail, WeCom/DingTalk user id or URL."
    )


class Contacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    points: list[ContactPoint] = Field(default_factory=list)


def _fernet(key: str) -> Fernet:
    # Any passphrase works: it is stretched to the 32 bytes Fernet needs.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def seal(contacts: Contacts, key: str) -> str:
    return _fernet(key).encrypt(contacts.model_dump_json().encode()).decode()


class SealBroken(ValueError):
    """The token was not sealed with this key, or was altered."""


def unseal(token: str, key: str) -> Contacts:
    try:
        return Contacts.model_validate_json(_fernet(key).decrypt(token.encode()))
    except InvalidToken:
        raise SealBroken("contact details cannot be unsealed with this key") from None


_DIGITS = re.compile(r"\d")


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it."""
    digits = _DIGITS.findall(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return "".join(digits[:3]) + "****" + "".join(digits[-4:])
