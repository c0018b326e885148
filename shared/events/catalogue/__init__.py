"""Every event type and version the services exchange. Importing this package registers them all.

One module per producing area; one pydantic model per event type and version. A new version of an event is a
new model class with `version=N`; producers keep publishing the old version until every consumer moved on.
"""

from shared.events.catalogue import dispatch, hazard, issue  # noqa: F401
