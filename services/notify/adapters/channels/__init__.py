"""Channels: one small port (`ChannelAdapter.send`), one adapter per way of reaching people."""

from __future__ import annotations

import time

from services.notify.adapters.channels.email import SmtpChannel
from services.notify.adapters.channels.log import LogChannel
from services.notify.adapters.channels.port import ChannelAdapter, HttpClient, OutgoingMessage, SendResult
from services.notify.adapters.channels.robots import DingTalkRobotChannel, WeComRobotChannel
from services.notify.adapters.channels.sms import DevelopmentSmsChannel, SmsGatewayChannel
from services.notify.adapters.channels.webhook import WebhookChannel

CHANNEL_NAMES = ("wecom", "dingtalk", "sms", "email", "webhook", "log")

__all__ = ["CHANNEL_NAMES", "ChannelAdapter", "HttpClient", "OutgoingMessage", "SendResult", "build_channels"]


def build_channels(settings, http: HttpClient) -> dict[str, ChannelAdapter]:
    """The channels this deployment can use, configured from its settings (a NotifySettings).

    SMS needs a gateway (in development, without one, texts are recorded instead); the others always work with a full address (a robot URL, a webhook URL, an e-mail).
    """
    channels: dict[str, ChannelAdapter] = {
        "webhook": WebhookChannel(http, settings.webhook_secret, lambda: int(time.time())),
        "wecom": WeComRobotChannel(http, settings.wecom_robot_url),
        "dingtalk": DingTalkRobotChannel(
            http, settings.dingtalk_robot_url, settings.dingtalk_robot_secret, lambda: int(time.time() * 1000)
        ),
        "email": SmtpChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            use_tls=settings.smtp_use_tls,
            timeout=settings.http_timeout_seconds,
        ),
        "log": LogChannel(),
    }
    if settings.sms_gateway_url:
        channels["sms"] = SmsGatewayChannel(http, settings.sms_gateway_url, settings.sms_gateway_token)
    elif settings.environment == "development":
        channels["sms"] = DevelopmentSmsChannel()
    return channels
