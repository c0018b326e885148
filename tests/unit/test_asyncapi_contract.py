"""The AsyncAPI documents describe the headers we really publish and the queues we really declare."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from services import SERVICE_NAMES, definition_of
from shared.events.envelope import HEADER_PREFIX, new_envelope
from shared.messaging.topology import Topology
from shared.runtime.asyncapi_contract import HEADERS_SCHEMA
from tests.support import probes

_OFFICIAL_SCHEMA = json.loads((Path(__file__).parent / "vendor" / "asyncapi-3.0.0.schema.json").read_text())


def _document(name: str) -> dict:
    return yaml.safe_load((definition_of(name).directory / "asyncapi.yaml").read_text())


def _resolved(schema: dict, document: dict) -> jsonschema.protocols.Validator:
    """A validator for a schema inside `document` whose `#/components/...` references resolve in the document."""
    return jsonschema.Draft202012Validator({"components": document["components"], **schema})


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_document_is_valid_against_the_official_asyncapi_schema(name):
    errors = list(jsonschema.Draft7Validator(_OFFICIAL_SCHEMA).iter_errors(_document(name)))
    assert errors == [], [error.message[:200] for error in errors[:3]]


def test_the_official_schema_catches_a_wrong_binding():
    """The check above can fail: a queue binding with a wrong type is refused."""
    document = _document("patrol")
    channel = next(channel for name, channel in document["channels"].items() if name.endswith(":consume"))
    channel["bindings"]["amqp"]["queue"]["durable"] = "yes"
    assert list(jsonschema.Draft7Validator(_OFFICIAL_SCHEMA).iter_errors(document))


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_message_has_the_headers_a_published_event_of_its_type_carries(name):
    document = _document(name)
    definition = definition_of(name)
    models = {model.event_type: model for model in definition.publishes}
    models |= {subscription.event.event_type: subscription.event for subscription in definition.subscriptions}
    messages = document["components"]["messages"]
    assert messages, f"{name} has no messages"
    for channel in document["channels"].values():
        model = models[channel["address"]]
        for reference in channel["messages"].values():
            message = messages[reference["$ref"].rsplit("/", 1)[-1]]
            validator = _resolved(message["headers"], document)
            published = new_envelope(probes.a_report(), source="/grassroots/test").to_headers()
            published |= {
                f"{HEADER_PREFIX}type": model.event_type,
                f"{HEADER_PREFIX}dataschema": f"urn:grassroots:event:{model.event_type}:v{model.version}",
            }
            assert list(validator.iter_errors(published)) == []
            wrong_type = published | {f"{HEADER_PREFIX}type": "something.else"}
            assert list(validator.iter_errors(wrong_type)), f"{channel['address']} accepts another type"
            missing_id = {key: value for key, value in published.items() if key != f"{HEADER_PREFIX}id"}
            assert list(validator.iter_errors(missing_id)), "an event without an id is accepted"


def test_the_headers_schema_names_every_attribute_an_envelope_writes():
    document = _document("patrol")
    properties = document["components"]["schemas"][HEADERS_SCHEMA]["properties"]
    envelope = new_envelope(probes.a_report(), source="/grassroots/test", causation_id=probes.a_report().report_id)
    assert set(envelope.to_headers()) <= set(properties)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_consumed_queue_states_the_arguments_and_binding_it_is_declared_with(name):
    topology = Topology()
    consumed = {name: channel for name, channel in _document(name)["channels"].items() if name.endswith(":consume")}
    assert len(consumed) == len(definition_of(name).subscriptions)
    for channel in consumed.values():
        queue = channel["bindings"]["amqp"]["queue"]
        assert queue["x-arguments"] == topology.queue_arguments(name)
        assert queue["x-binding"] == {"exchange": topology.events_exchange, "routingKey": channel["address"]}
        assert queue["name"] == topology.queue(name, channel["address"])
