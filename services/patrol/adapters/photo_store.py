"""Where photos live: a small port, and the filesystem adapter behind it (object storage can come later)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")


class PhotoStore(Protocol):
    async def put(self, name: str, data: bytes) -> None:
        """Store `data` under `name` (`<sha256>.<ext>`); storing the same name again changes nothing."""
        ...

    async def get(self, name: str) -> bytes | None:
        """The bytes stored under `name`, or None."""
        ...


def is_photo_name(name: str) -> bool:
    return _NAME.match(name) is not None


class FilesystemPhotoStore:
    """Files under `root/<first two hex digits>/<name>`, written to a temporary file and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        if not is_photo_name(name):
            raise ValueError(f"not a photo name: {name!r}")
        return self.root / name[:2] / name

    async def put(self, name: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(name), data)

    async def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
