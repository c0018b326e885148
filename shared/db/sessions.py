"""What every service connection asks of the server, so that a client gone silent cannot hold others back.

A transaction left open by a client that died or froze keeps the outbox relays of every service waiting (they
publish only behind the oldest open transaction) and keeps its locks. The server ends such a session:
- while it runs a statement, when the client's socket is closed (a killed process): `client_connection_check_interval`;
- while it sits idle in a transaction, after `idle_in_transaction_session_timeout` (a frozen process, a lost host);
- when the client's host is gone without closing anything, after TCP keepalives go unanswered.
"""

from __future__ import annotations

CLIENT_CHECK_SECONDS = 2
KEEPALIVE_IDLE_SECONDS, KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_PROBES = 10, 5, 3


def bounded_session_settings(idle_in_transaction_seconds: float) -> dict[str, str]:
    """server_settings for asyncpg; 0 leaves idle transactions unbounded."""
    return {
        "idle_in_transaction_session_timeout": f"{int(idle_in_transaction_seconds * 1000)}ms",
        "client_connection_check_interval": f"{CLIENT_CHECK_SECONDS}s",
        "tcp_keepalives_idle": str(KEEPALIVE_IDLE_SECONDS),
        "tcp_keepalives_interval": str(KEEPALIVE_INTERVAL_SECONDS),
        "tcp_keepalives_count": str(KEEPALIVE_PROBES),
    }
