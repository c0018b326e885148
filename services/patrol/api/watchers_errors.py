"""Turning a watcher, shift or patrol command's refusal into a 4xx that names the field or the state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fastapi import HTTPException, status

from services.patrol.domain.watcher_errors import Conflict, InvalidInput, NotFound


@contextlib.contextmanager
def answering_errors(location: str = "body") -> Iterator[None]:
    """422 in FastAPI's own shape (`loc` names the field), 404 naming the field, 409 naming the state."""
    try:
        yield
    except InvalidInput as error:
        detail = [{"loc": [location, error.field], "msg": error.message, "type": "value_error"}]
        raise HTTPException(422, detail=detail) from None
    except NotFound as error:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail={"field": error.field, "message": error.message}
        ) from None
    except Conflict as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail={"state": error.state, "message": error.message}
        ) from None
