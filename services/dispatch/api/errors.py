"""Turning the domain's refusals into HTTP answers that name the field or the state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fastapi import HTTPException, status

from services.dispatch.domain.errors import CaseNotFound, InvalidInput, InvalidTransition, NotAllowed


@contextlib.contextmanager
def answered() -> Iterator[None]:
    try:
        yield
    except CaseNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except InvalidTransition as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail={"message": str(error), "current_status": error.current, "action": error.action},
        ) from None
    except NotAllowed as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from None
    except InvalidInput as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail={"field": error.field, "message": str(error)}
        ) from None
