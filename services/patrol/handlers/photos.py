"""Photos are checked and cleaned in worker threads, a few at once: decoding is the costliest thing patrol does.

The event loop stays free while a photo decodes. At most `photo_decode_concurrency` photos decode at once; a photo
that finds every slot taken waits `photo_decode_wait_seconds` for one, then the upload is answered "busy, try
again" instead of queueing work that the memory of the process would have to hold.
"""

from __future__ import annotations

import asyncio
import ctypes
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from services.patrol.domain.photos import CleanPhoto, clean_photo
from shared.errors import Unavailable


class Upload(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


class PhotosBusy(Unavailable):
    """Every decoding slot stayed taken: the client should send the photos again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"photos are being checked at capacity; try again in {retry_after} s", retry_after=retry_after
        )
        self.field = "photos"
        self.retry_after = retry_after


class PhotoCleaner:
    def __init__(self, concurrency: int, wait_seconds: float, max_bytes: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._threads = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="photo-decode")
        self._wait_seconds = wait_seconds
        self._max_bytes = max_bytes
        self.retry_after = max(1, round(wait_seconds * 2))

    async def clean(self, uploads: Sequence[Upload]) -> list[CleanPhoto]:
        """Each photo cleaned in turn, named `photos[i]` in a rejection; PhotosBusy when no slot frees in time."""
        return [await self._clean_one(upload, f"photos[{index}]") for index, upload in enumerate(uploads)]

    async def _clean_one(self, upload: Upload, field: str) -> CleanPhoto:
        try:
            await asyncio.wait_for(self._slots.acquire(), self._wait_seconds)
        except TimeoutError:
            raise PhotosBusy(self.retry_after) from None
        try:  # read only once a slot is held: uploads that wait hold no bytes in memory
            data = await upload.read(self._max_bytes + 1)
        except BaseException:
            self._slots.release()
            raise
        loop = asyncio.get_running_loop()
        # The slot is given back when the thread is done, not when the request is: a client that hangs up
        # does not free a slot while its photo still decodes.
        work = self._threads.submit(_clean_and_trim, data, field, self._max_bytes)
        work.add_done_callback(lambda _: loop.call_soon_threadsafe(self._slots.release))
        return await asyncio.wrap_future(work)


def _clean_and_trim(data: bytes, field: str, max_bytes: int) -> CleanPhoto:
    try:
        return clean_photo(data, field=field, max_bytes=max_bytes)
    finally:
        _give_freed_memory_back()


try:  # glibc's; elsewhere (musl, macOS) freed memory is returned without being asked
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except AttributeError:
    _malloc_trim = None


def _give_freed_memory_back() -> None:
    # glibc can keep the freed pixel buffers of a decode in its arenas; trimming returns them to the system at
    # once, so RSS falls back after a burst.
    if _malloc_trim is not None:
        _malloc_trim(0)
