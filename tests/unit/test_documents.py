"""The AsyncAPI documents in the repository are the ones the code generates."""

from __future__ import annotations

import pytest
import yaml

from services import SERVICE_NAMES, definition_of
from shared.runtime.asyncapi import asyncapi_yaml
from shared.runtime.cli import write_asyncapi
from tests.support import probes


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_the_committed_asyncapi_document_is_current(name):
    assert write_asyncapi(definition_of(name), check=True), (
        f"services/{name}/asyncapi.yaml is stale: run `python -m services asyncapi` and commit the result"
    )


def test_a_document_names_each_consumed_queue_and_published_event_with_its_schema():
    document = yaml.safe_load(asyncapi_yaml(probes.CONSUMER))
    assert document["asyncapi"] == "3.0.0"
    channels = document["channels"]
    assert any("probe_consumer.hazard.reported" in name for name in channels)
    schemas = document["components"]["schemas"]
    assert "HazardReported" in schemas
    assert "severity" in schemas["HazardReported"]["properties"]
    published = yaml.safe_load(asyncapi_yaml(probes.PRODUCER))
    assert any("hazard.reported" in name for name in published["channels"])


def test_the_readme_picture_and_event_table_are_drawn_from_the_current_code():
    from pathlib import Path

    from shared.runtime.diagram import mermaid, replace_in

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    picture = mermaid([definition_of(name) for name in SERVICE_NAMES])
    assert replace_in(readme, picture) == readme, "run `python -m services diagram` and commit README.md"
