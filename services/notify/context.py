"""The notify service's settings and dependencies, built once at start from its settings (tests build their own)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import Field

from services.notify.adapters.channels import ChannelAdapter, HttpClient, build_channels
from services.notify.adapters.rendering import Renderer
from services.notify.handlers.rules import RulesCache
from shared.cache import ReadThroughCache
from shared.clock import Clock, SystemClock
from shared.reference import ReferenceBundle
from shared.settings import ServiceSettings

TEMPLATES = Path(__file__).parent / "templates"


class NotifySettings(ServiceSettings):
    # Channels
    webhook_secret: str = Field(
        "grassroots-development-webhook-secret-change-me",
        min_length=16,
        description="Signs webhook bodies (X-Grassroots-Signature). Set it in production.",
    )
    http_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of every HTTP channel call.")
    smtp_host: str = Field("127.0.0.1", description="The SMTP relay that e-mail goes through.")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = Field("grassroots@dadong.example", description="The From address of e-mail.")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_use_tls: bool = Field(False, description="Connect to the SMTP relay over TLS (port 465).")
    sms_gateway_url: str | None = Field(None, description="The SMS gateway: JSON POST {to, text, reference}.")
    sms_gateway_token: str | None = Field(
        None, description="Bearer token for the SMS gateway, if it needs one."
    )
    wecom_robot_url: str | None = Field(
        None, description="Default WeCom group robot; used for contacts whose address is a user id or mobile."
    )
    dingtalk_robot_url: str | None = Field(
        None, description="Default DingTalk group robot; used for contacts whose address is a mobile."
    )
    dingtalk_robot_secret: str | None = Field(
        None, description="DingTalk robot signing secret (SEC...): adds timestamp and sign to the URL."
    )
    console_public_url: str = Field(
        "",
        description="How people reach the console (https://console.dadong.example): the case notices end with "
        "the console's page for the case. Empty: no link.",
    )
    # Delivery policy
    rate_limits: dict[str, int] = Field(
        {"wecom": 20, "dingtalk": 20, "sms": 60, "email": 120, "webhook": 600, "log": 6000},
        description="Messages per channel per rate window (the robots allow 20 a minute).",
    )
    rate_window_seconds: int = Field(60, ge=1)
    quiet_hours_default: str | None = Field(
        "22:00-07:00",
        pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="District time when non-urgent messages wait, unless a recipient has their own.",
    )
    retry_base_seconds: float = Field(30.0, gt=0, description="First back-off after a transient failure.")
    retry_max_seconds: float = Field(3600.0, gt=0, description="Longest back-off between two attempts.")
    retry_max_attempts: int = Field(8, ge=1, description="Attempts before a delivery is given up as failed.")
    lease_seconds: float = Field(
        120.0,
        gt=0,
        description="How long a claimed delivery stays in flight before another worker retries it.",
    )
    worker_poll_seconds: float = Field(
        1.0, gt=0, description="How often the delivery worker looks for due work."
    )
    worker_batch_size: int = Field(20, ge=1)
    delivery_worker_enabled: bool = Field(True, description="Run the delivery worker in this process.")
    load_units_at_start: bool = Field(
        True, description="Load the reference bundle's units into the directory at start (once per version)."
    )
    rules_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="How long the enabled rules are kept in memory: another replica's edit of a rule is seen "
        "within it (this process's own at once). 0 reads the rules for every event.",
    )

    def secrets(self) -> dict[str, str | None]:
        return {
            **super().secrets(),
            "WEBHOOK_SECRET": self.webhook_secret,
            "SMTP_PASSWORD": self.smtp_password,
            "SMS_GATEWAY_TOKEN": self.sms_gateway_token,
            "DINGTALK_ROBOT_SECRET": self.dingtalk_robot_secret,
        }


@dataclass
class NotifyContext:
    settings: NotifySettings
    clock: Clock
    bundle: ReferenceBundle
    http: HttpClient
    channels: dict[str, ChannelAdapter]
    renderer: Renderer
    rules: RulesCache
    jitter: Callable[[], float] = field(default=random.random)
    wake_worker: Callable[[], None] = field(default=lambda: None)  # set when the worker runs in this process


def build_context(
    settings: NotifySettings,
    *,
    clock: Clock | None = None,
    channels: dict[str, ChannelAdapter] | None = None,
) -> NotifyContext:
    bundle = ReferenceBundle.load(settings.reference_bundle)
    http = HttpClient(settings.http_timeout_seconds)
    clock = clock or SystemClock()
    return NotifyContext(
        settings=settings,
        clock=clock,
        bundle=bundle,
        http=http,
        channels=channels if channels is not None else build_channels(settings, http),
        renderer=Renderer(TEMPLATES, bundle, settings.console_public_url),
        rules=ReadThroughCache(clock, timedelta(seconds=settings.rules_cache_seconds)),
    )
