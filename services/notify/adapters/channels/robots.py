"""The WeCom (企业微信) and DingTalk (钉钉) group robots that district offices use.

WeCom: POST JSON to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...`, body
`{"msgtype": "text", "text": {"content", "mentioned_list", "mentioned_mobile_list"}}` (content at most 2048 bytes)
or `{"msgtype": "markdown", "markdown": {"content"}}` (at most 4096 bytes).
DingTalk: POST JSON to `https://oapi.dingtalk.com/robot/send?access_token=...`, body
`{"msgtype": "text", "text": {"content"}, "at": {"atMobiles", "isAtAll"}}` or
`{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {...}}`; with a signing secret the URL also carries
`timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))).
Both answer HTTP 200 with `{"errcode": 0, "errmsg": "ok"}`; a non-zero errcode is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from urllib.parse import quote_plus

from services.notify.adapters.channels.port import (
    HttpClient,
    HttpResponse,
    OutgoingMessage,
    SendResult,
    post_json,
    result_of_status,
)

_MOBILE = re.compile(r"^\+?\d{11,15}$")
WECOM_TEXT_LIMIT = 2048
WECOM_MARKDOWN_LIMIT = 4096
# errcodes that mean "slow down" or "try later": WeCom 45009 (frequency limit), DingTalk 130101 (too fast), -1 busy.
_RETRYABLE_ERRCODES = {-1, 45009, 130101}


def fit_bytes(text: str, limit: int) -> str:
    """Cut text to at most `limit` UTF-8 bytes without splitting a character."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def wecom_text_body(
    content: str, *, mentioned_users: list[str] | None = None, mentioned_mobiles: list[str] | None = None
) -> dict:
    text: dict[str, object] = {"content": fit_bytes(content, WECOM_TEXT_LIMIT)}
    if mentioned_users:
        text["mentioned_list"] = list(mentioned_users)
    if mentioned_mobiles:
        text["mentioned_mobile_list"] = list(mentioned_mobiles)
    return {"msgtype": "text", "text": text}


def wecom_markdown_body(content: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": fit_bytes(content, WECOM_MARKDOWN_LIMIT)}}


def dingtalk_text_body(content: str, *, at_mobiles: list[str] | None = None, at_all: bool = False) -> dict:
    mobiles = list(at_mobiles or [])
    # DingTalk only highlights a mention that also appears in the text as @<mobile>.
    mentions = "".join(f" @{mobile}" for mobile in mobiles if f"@{mobile}" not in content)
    return {
        "msgtype": "text",
        "text": {"content": content + mentions},
        "at": {"atMobiles": mobiles, "isAtAll": at_all},
    }


def dingtalk_markdown_body(title: str, text: str, *, at_mobiles: list[str] | None = None) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atMobiles": list(at_mobiles or []), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_signed_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def robot_result(response: HttpResponse) -> SendResult:
    """HTTP first, then the robot's own errcode."""
    if not 200 <= response.status_code < 300:
        return result_of_status(response)
    try:
        answer = response.json()
        errcode = int(answer.get("errcode", 0))
    except (ValueError, AttributeError, TypeError):
        return SendResult.transient(f"unreadable robot answer: {response.text[:200]}")
    if errcode == 0:
        return SendResult.success("errcode 0")
    detail = f"errcode {errcode}: {str(answer.get('errmsg', ''))[:200]}"
    return SendResult.transient(detail) if errcode in _RETRYABLE_ERRCODES else SendResult.permanent(detail)


def _target(address: str, default_url: str | None) -> tuple[str | None, str | None]:
    """(robot URL, person to mention): an address is a robot URL itself, or someone to mention on the default one."""
    if address.startswith(("http://", "https://")):
        return address, None
    return default_url, address


class WeComRobotChannel:
    name = "wecom"

    def __init__(self, http: HttpClient, default_url: str | None) -> None:
        self._http = http
        self._default_url = default_url

    async def send(self, message: OutgoingMessage) -> SendResult:
        url, mention = _target(message.address, self._default_url)
        if url is None:
            return SendResult.permanent("invalid address: no robot URL and no default WeCom robot configured")
        is_mobile = mention is not None and bool(_MOBILE.match(mention))
        body = wecom_text_body(
            message.text,
            mentioned_users=[mention] if mention and not is_mobile else None,
            mentioned_mobiles=[mention] if mention and is_mobile else None,
        )
        response = await post_json(self._http, url, json.dumps(body, ensure_ascii=False).encode())
        return response if isinstance(response, SendResult) else robot_result(response)


class DingTalkRobotChannel:
    name = "dingtalk"

    def __init__(
        self,
        http: HttpClient,
        default_url: str | None,
        secret: str | None,
        now_ms: Callable[[], int],
    ) -> None:
        self._http = http
        self._default_url = default_url
        self._secret = secret
        self._now_ms = now_ms

    async def send(self, message: OutgoingMessage) -> SendResult:
        url, mention = _target(message.address, self._default_url)
        if url is None:
            return SendResult.permanent(
                "invalid address: no robot URL and no default DingTalk robot configured"
            )
        if mention is not None and not _MOBILE.match(mention):
            return SendResult.permanent("invalid address: DingTalk mentions need a mobile number")
        body = dingtalk_text_body(message.text, at_mobiles=[mention] if mention else None)
        signed = dingtalk_signed_url(url, self._secret, self._now_ms())
        response = await post_json(self._http, signed, json.dumps(body, ensure_ascii=False).encode())
        return response if isinstance(response, SendResult) else robot_result(response)
