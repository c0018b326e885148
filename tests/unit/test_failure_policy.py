"""Which failures are worth retrying, and how long to wait."""

from __future__ import annotations

import asyncpg
from hypothesis import given
from hypothesis import strategies as st

from shared.messaging.failures import is_transient
from shared.messaging.topology import Topology


def test_database_and_network_outages_are_transient_and_bugs_are_not():
    assert is_transient(ConnectionRefusedError())
    assert is_transient(asyncpg.CannotConnectNowError())
    assert is_transient(asyncpg.SerializationError())
    assert not is_transient(KeyError("x"))
    assert not is_transient(asyncpg.UniqueViolationError())


@given(attempt=st.integers(min_value=1, max_value=60), limit=st.integers(min_value=2, max_value=60))
def test_backoff_doubles_never_passes_the_ceiling_and_has_a_delay_queue(attempt, limit):
    topology = Topology(delivery_limit=limit, retry_backoff_seconds=0.5, retry_backoff_max_seconds=15.0)
    assert topology.retry_delay_ms(attempt) == min(15_000, 500 * 2 ** (attempt - 1))
    if attempt < limit:
        assert topology.retry_delay_ms(attempt) in topology.retry_levels_ms()
    assert len(topology.retry_levels_ms()) <= 6, "a few fixed levels, whatever the delivery limit"


def test_the_default_back_off_levels_and_their_queues():
    topology = Topology(namespace="t1.")
    assert topology.retry_levels_ms() == [500, 1000, 2000, 4000]
    assert topology.retry_queues("dispatch") == [
        "t1.dispatch.retry-500ms",
        "t1.dispatch.retry-1000ms",
        "t1.dispatch.retry-2000ms",
        "t1.dispatch.retry-4000ms",
    ]
    assert topology.retry_queue_arguments(500)["x-message-ttl"] == 500
    assert topology.retry_queue_arguments(500)["x-dead-letter-exchange"] == "t1.grassroots.retry-return"
    assert (
        topology.retry_routing_key(500, "t1.dispatch.hazard.reported") == "500ms.t1.dispatch.hazard.reported"
    )


def test_queue_names_say_whose_they_are_and_what_for():
    topology = Topology(namespace="t1.", delivery_limit=5)
    assert topology.queue("dispatch", "hazard.reported") == "t1.dispatch.hazard.reported"
    assert topology.dead_letter_queue("dispatch") == "t1.dispatch.dead-letter"
    arguments = topology.queue_arguments("dispatch")
    assert arguments["x-queue-type"] == "quorum"
    assert arguments["x-delivery-limit"] == 5
    assert arguments["x-dead-letter-exchange"] == "t1.grassroots.dead-letter"
