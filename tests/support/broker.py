"""Whether this machine runs the tests' broker and its command-line tools."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def can_restart(rabbitmq_url: str) -> str | None:
    """None when this machine can restart the broker the tests use; otherwise why not."""
    if urlsplit(rabbitmq_url).hostname not in LOCAL_HOSTS:
        return "the broker is not on this machine"
    for command in ("rabbitmqctl", "rabbitmq-server"):
        if shutil.which(command) is None:
            return f"{command} is not installed here"
    return None
