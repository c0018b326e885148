"""Every event type and version the services exchange. Importing this package registers them all.

One module per area, owned by the service that publishes its events; one pydantic model per event type and
version. A new version of an event is a new model class with `version=N`; producers keep publishing the old
version until every consumer has moved on.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
