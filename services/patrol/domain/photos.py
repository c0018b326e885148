"""Report photos: accepted by what the bytes are (never by the declared type or name), re-encoded without metadata.

Re-encoding drops every EXIF, XMP and text chunk, so GPS coordinates and camera serials never reach the store.
The stored name is the SHA-256 of the cleaned bytes: the same photo sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 9
MAX_PIXELS = 40_000_000  # above this a small file can still exhaust memory when decoded
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
EXTENSIONS = {extension: content_type for extension, content_type in FORMATS.values()}


class PhotoRejected(ValueError):
    """A photo that cannot be accepted; `field` names it for the 4xx answer."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.sha256}.{self.extension}"


def clean_photo(data: bytes, *, field: str, max_bytes: int) -> CleanPhoto:
    """Check that `data` is a JPEG, PNG or WebP image within the limits and return it without metadata."""
    if not data:
        raise PhotoRejected(field, "the file is empty")
    if len(data) > max_bytes:
        raise PhotoRejected(field, f"the file is {len(data)} bytes; the limit is {max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRejected(field, f"the image has more than {MAX_PIXELS} pixels")
            image.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(field, "the content is not a JPEG, PNG or WebP image") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoRejected(field, "the image is damaged or truncated") from None
    extension, content_type = FORMATS[image.format or ""]
    data, width, height = _reencode(image, image.format or "")
    return CleanPhoto(data=data, extension=extension, content_type=content_type, width=width, height=height)


def _reencode(image: Image.Image, image_format: str) -> tuple[bytes, int, int]:
    # Turn the pixels upright first: the orientation tag goes with the rest of the EXIF.
    upright = ImageOps.exif_transpose(image) or image
    if image_format == "JPEG":
        clean = upright.convert("RGB")
    elif image_format == "PNG":
        clean = upright.convert(
            upright.mode if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else "RGBA"
        )
    else:
        clean = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")
    keep: dict[str, object] = {}
    if image.info.get("icc_profile"):
        keep["icc_profile"] = image.info["icc_profile"]  # colours, not metadata about the place or the phone
    if image_format == "PNG" and clean.info.get("transparency") is not None:
        keep["transparency"] = clean.info["transparency"]
    clean.info = {}  # EXIF (GPS), XMP, text chunks, comments: none of it is written
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True, **keep)
    elif image_format == "PNG":
        clean.save(out, "PNG", optimize=True, **keep)
    else:
        clean.save(out, "WEBP", quality=90, **keep)
    return out.getvalue(), clean.width, clean.height
