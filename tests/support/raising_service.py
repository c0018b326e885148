"""`python -m tests.support.raising_service run`: training as `python -m services.training` runs it, with one more
route that raises, so a test sees what an unhandled error looks like in the service's log."""

import dataclasses
import sys

from fastapi import APIRouter

from services.training.bootstrap import definition
from shared.runtime.cli import main

router = APIRouter()


@router.get("/test/raise/{item}")
async def raise_an_error(item: str) -> None:
    raise RuntimeError(f"a defect reached by {item}")


def with_raising_route():
    service = definition()
    return dataclasses.replace(service, routers=[*service.routers, router])


if __name__ == "__main__":
    sys.exit(main(with_raising_route))
