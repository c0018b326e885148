"""Which failures are worth retrying, and how long to wait."""

from __future__ import annotations

import asyncpg
from hypothesis import given
from hypothesis import strategies as st

from shared.messaging.failures import backoff_seconds, is_transient
from shared.messaging.topology import Topology


def test_database_and_network_outages_are_transient_and_bugs_are_not():
    assert is_transient(ConnectionRefusedError())
    assert is_transient(asyncpg.CannotConnectNowError())
    assert is_transient(asyncpg.SerializationError())
    assert not is_transient(KeyError("x"))
    assert not is_transient(asyncpg.UniqueViolationError())


@given(attempt=st.integers(min_value=1, max_value=60))
def test_backoff_is_jittered_and_never_passes_the_ceiling(attempt):
    wait = backoff_seconds(attempt, base=0.5, ceiling=15.0)
    assert 0 <= wait <= min(15.0, 0.5 * 2 ** (attempt - 1))


def test_queue_names_say_whose_they_are_and_what_for():
    topology = Topology(namespace="t1.", delivery_limit=5)
    assert topology.queue("dispatch", "hazard.reported") == "t1.dispatch.hazard.reported"
    assert topology.dead_letter_queue("dispatch") == "t1.dispatch.dead-letter"
    arguments = topology.queue_arguments("dispatch")
    assert arguments["x-queue-type"] == "quorum"
    assert arguments["x-delivery-limit"] == 5
    assert arguments["x-dead-letter-exchange"] == "t1.grassroots.dead-letter"
