"""Photos decode a few at once: one that finds every slot taken waits briefly, then is told to come back."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from services.patrol.domain.photos import PhotoRejected
from services.patrol.handlers.photos import PhotoCleaner, PhotosBusy


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


class SlowUpload:
    """An upload whose bytes arrive only when `arrive` is set, holding its decoding slot meanwhile."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.arrive = asyncio.Event()

    async def read(self, size: int = -1) -> bytes:
        await self.arrive.wait()
        return self.data


class Upload:
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, size: int = -1) -> bytes:
        return self.data


async def test_with_every_slot_taken_a_photo_is_busy_after_the_wait_and_goes_through_once_one_frees():
    cleaner = PhotoCleaner(concurrency=1, wait_seconds=0.1, max_bytes=1 << 20)
    slow = SlowUpload(png())
    first = asyncio.create_task(cleaner.clean([slow]))
    await asyncio.sleep(0.01)
    with pytest.raises(PhotosBusy) as busy:
        await cleaner.clean([Upload(png())])
    assert busy.value.retry_after >= 1
    slow.arrive.set()
    assert len(await first) == 1
    assert len(await cleaner.clean([Upload(png())])) == 1


async def test_a_rejected_photo_gives_its_slot_back_and_names_its_position():
    cleaner = PhotoCleaner(concurrency=1, wait_seconds=0.1, max_bytes=1 << 20)
    with pytest.raises(PhotoRejected) as refused:
        await cleaner.clean([Upload(png()), Upload(b"not a picture")])
    assert refused.value.field == "photos[1]"
    assert len(await cleaner.clean([Upload(png())])) == 1
