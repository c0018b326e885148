"""Reaching a broker that may be several nodes of one RabbitMQ cluster.

`RABBITMQ_URL` may list several addresses, comma-separated (or `RABBITMQ_URLS` does): the nodes of one cluster.
aio-pika's robust connection reconnects to the single URL it was given, which may be the node that died; this one
moves on to the next address at every connection attempt, so it comes back on whichever node is alive. Each
process starts at a random address, so the replicas of a service spread over the nodes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractRobustConnection
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, AMQPConnectionError
from aio_pika.robust_connection import RobustConnection
from yarl import URL


def broker_urls(setting: str) -> list[str]:
    """The addresses in a `RABBITMQ_URL` value: one URL, or several separated by commas."""
    urls = [url.strip() for url in setting.split(",") if url.strip()]
    if not urls:
        raise ValueError("no broker address given")
    return urls


class MultiAddressConnection(RobustConnection):
    """A robust connection that, at each (re)connection, tries the addresses of its list in turn, starting with
    the one after the address it last used, until one answers."""

    def __init__(self, url: URL, *args, addresses: Sequence[str] = (), first: int = 0, **kwargs) -> None:
        super().__init__(url, *args, **kwargs)
        self.addresses = [URL(address) for address in addresses] or [self.url]
        self._next = first

    # RobustConnection makes every transport connection (the first and each reconnection) in this method, which
    # connects to `self.url`: choosing the address here is the one place that covers both. A node that is gone
    # costs one refused attempt here, not a whole reconnect interval.
    async def _RobustConnection__connect_transport(self) -> None:  # noqa: N802
        error: BaseException | None = None
        for _ in range(len(self.addresses)):
            self.url = self.addresses[self._next % len(self.addresses)]
            self._next += 1
            try:
                await super()._RobustConnection__connect_transport()
                return
            except CONNECTION_EXCEPTIONS as failure:
                error = failure
        assert error is not None
        raise error


async def connect_robust(setting: str, **kwargs) -> AbstractRobustConnection:
    """A robust connection to a live address of `setting` (the first tried at random, so that the replicas of a
    service spread over the nodes), which later reconnects to any live one."""
    urls = broker_urls(setting)
    first = random.randrange(len(urls))
    return await aio_pika.connect_robust(urls[first], connection_class=_with_addresses(urls, first), **kwargs)


async def connect(setting: str, **kwargs) -> AbstractConnection:
    """A plain connection to the first address of `setting` that answers (for short-lived tools)."""
    error: Exception | None = None
    for url in broker_urls(setting):
        try:
            return await aio_pika.connect(url, **kwargs)
        except (OSError, AMQPConnectionError) as failure:
            error = failure
    assert error is not None
    raise error


def _with_addresses(urls: list[str], first: int) -> type[MultiAddressConnection]:
    class Connection(MultiAddressConnection):
        def __init__(self, url: URL, *args, **kwargs) -> None:
            super().__init__(url, *args, addresses=urls, first=first, **kwargs)

    return Connection
