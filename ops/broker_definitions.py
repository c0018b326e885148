"""RabbitMQ definitions for a deployment: vhost, exchanges, an administrator, and one user per service.

Each service's user may configure only its own queues (`<service>.*`, its delay queues among them), read its queues
and the exchanges it binds them to, and write only to the events exchange (its events), the dead-letter exchange
(its dead letters), the retry exchange (its failed messages, to wait in its delay queues), the retry-return
exchange (which its delay queues dead-letter to) and its own queues (bindings). Topic permissions keep the retry path private: on the retry exchange a service publishes and binds only
routing keys `<level>.<service>.…` (its own delay queues), on the retry-return exchange it binds only
`*.<service>.…` (its own queues); nobody publishes there but the broker, dead-lettering what waited. The file is rendered at deploy time from the passwords in the environment; RabbitMQ loads it at
boot (`load_definitions`). Passwords are stored as RabbitMQ's salted SHA-256 hashes, never in clear.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re

from services import SERVICE_NAMES
from shared.messaging.topology import Topology


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)), 4 random salt bytes."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _user(name: str, password: str, tags: list[str]) -> dict[str, object]:
    return {
        "name": name,
        "password_hash": password_hash(password),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": tags,
        "limits": {},
    }


def service_permissions(service: str, topology: Topology, vhost: str, user: str) -> dict[str, str]:
    own_queues = re.escape(topology.queue(service, "")) + ".*"
    # A queue may name a dead-letter exchange only for a user who may write to it (its topic permission lets
    # nothing through to the retry-return exchange).
    written = [
        topology.events_exchange,
        topology.dead_letter_exchange,
        topology.retry_exchange,
        topology.retry_return_exchange,
    ]
    return {
        "user": user,
        "vhost": vhost,
        "configure": f"^{own_queues}$",
        "write": f"^({own_queues}|{'|'.join(map(re.escape, written))})$",
        "read": f"^({own_queues}|{'|'.join(map(re.escape, written))})$",
    }


def service_topic_permissions(
    service: str, topology: Topology, vhost: str, user: str
) -> list[dict[str, str]]:
    own_queues = re.escape(topology.queue(service, "")) + ".+"
    to_delay = f"^[0-9]+ms\\.{own_queues}$"
    return [
        {
            "user": user,
            "vhost": vhost,
            "exchange": topology.retry_exchange,
            "write": to_delay,
            "read": to_delay,
        },
        {
            "user": user,
            "vhost": vhost,
            "exchange": topology.retry_return_exchange,
            "write": "^$",
            "read": f"^\\*\\.{own_queues}$",
        },
    ]


def definitions(
    passwords: dict[str, str],
    admin: tuple[str, str],
    topology: Topology = Topology(),
    vhost: str = "/",
    user_prefix: str = "",
) -> dict[str, object]:
    """`passwords` maps each service to its AMQP password; `admin` is the operators' (user, password).
    Each service's user is named after it (with `user_prefix` before, when several deployments share a broker)."""
    exchange = {"vhost": vhost, "durable": True, "auto_delete": False, "internal": False, "arguments": {}}
    return {
        "rabbitmq_version": "3.13",
        "users": [_user(admin[0], admin[1], ["administrator"])]
        + [_user(user_prefix + service, passwords[service], []) for service in SERVICE_NAMES],
        "vhosts": [{"name": vhost}],
        "permissions": [{"user": admin[0], "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}]
        + [service_permissions(service, topology, vhost, user_prefix + service) for service in SERVICE_NAMES],
        "exchanges": [
            {**exchange, "name": topology.events_exchange, "type": "topic"},
            {**exchange, "name": topology.dead_letter_exchange, "type": "direct"},
            {**exchange, "name": topology.retry_exchange, "type": "topic"},
            {**exchange, "name": topology.retry_return_exchange, "type": "topic"},
        ],
        "queues": [],
        "bindings": [],
        "policies": [],
        "parameters": [],
        "global_parameters": [],
        "topic_permissions": [
            permission
            for service in SERVICE_NAMES
            for permission in service_topic_permissions(service, topology, vhost, user_prefix + service)
        ],
    }
