"""Report photos: accepted by what the bytes are (never by the declared type or name), re-encoded without metadata.

Re-encoding drops every EXIF, XMP and text chunk, so GPS coordinates and camera serials never reach the store.
The stored name is the SHA-256 of the cleaned bytes: the same photo sent twice is stored once.

Decoding is what costs memory, so the size in the header is checked before a single pixel is decoded. A phone's
camera writes baseline JPEG of 12 to 50 MP (50 MP: 8160 × 6120, the largest sensor read out at full resolution);
JPEG can be decoded at 1/2, 1/4 or 1/8 of its size, so such a photo is decoded straight to the stored size. PNG,
WebP and progressive JPEG can only be decoded whole, at 4 bytes a pixel: a phone's PNG is a screenshot (under
5 MP) and its WebP a messaging app's copy, already smaller, so 16 MP (64 MB decoded) is plenty.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import Invalid

MAX_PHOTOS = 9
MAX_REDUCIBLE_PIXELS = 50_000_000  # baseline JPEG, decoded at a reduced scale
MAX_WHOLE_PIXELS = 16_000_000  # PNG, WebP, progressive JPEG: decoded at full size
MAX_EDGE = 4096  # the longest side kept: more than enough to see a hazard
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
EXTENSIONS = {extension: content_type for extension, content_type in FORMATS.values()}


class PhotoRejected(Invalid):
    """A photo that cannot be accepted; `field` names it for the 4xx answer."""


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
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))  # reads the header, decodes nothing
            # MPO: a JPEG followed by a second picture (some phones' depth map); the first is kept
            image_format = "JPEG" if image.format == "MPO" else image.format or ""
            _check_pixels(image, image_format, field)
            if image_format == "JPEG":
                image.draft(None, _draft_size(image.size))
            image.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(field, _too_many_pixels(MAX_REDUCIBLE_PIXELS)) from None
    except UnidentifiedImageError:
        raise PhotoRejected(field, "the content is not a JPEG, PNG or WebP image") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoRejected(field, "the image is damaged or truncated") from None
    extension, content_type = FORMATS[image_format]
    data, width, height = _reencode(image, image_format)
    return CleanPhoto(data=data, extension=extension, content_type=content_type, width=width, height=height)


def _check_pixels(image: Image.Image, image_format: str, field: str) -> None:
    reducible = image_format == "JPEG" and not image.info.get("progressive")
    limit = MAX_REDUCIBLE_PIXELS if reducible else MAX_WHOLE_PIXELS
    if image.width * image.height > limit:
        raise PhotoRejected(field, _too_many_pixels(limit))


def _too_many_pixels(limit: int) -> str:
    return f"the image has more than {limit // 1_000_000} million pixels; a phone photo has fewer"


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size to ask JPEG's draft mode for: decoded at the smallest scale whose longest side fits MAX_EDGE."""
    scale = 1
    while scale < 8 and max(size) / scale > MAX_EDGE:
        scale *= 2
    return max(1, size[0] // scale), max(1, size[1] // scale)


def _reencode(image: Image.Image, image_format: str) -> tuple[bytes, int, int]:
    # Each step works in place or frees what it replaces, so one decoded copy is held at a time.
    ImageOps.exif_transpose(
        image, in_place=True
    )  # upright: the orientation tag goes with the rest of the EXIF
    if max(image.size) > MAX_EDGE:
        image.thumbnail((MAX_EDGE, MAX_EDGE))
    if image_format == "JPEG":
        mode = "RGB"
    elif image_format == "PNG":
        mode = image.mode if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else "RGBA"
    else:
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
    clean = image if image.mode == mode else image.convert(mode)
    keep: dict[str, object] = {}
    if image.info.get("icc_profile"):
        keep["icc_profile"] = image.info["icc_profile"]  # colours, not metadata about the place or the phone
    if image_format == "PNG" and clean.info.get("transparency") is not None:
        keep["transparency"] = clean.info["transparency"]
    clean.info = {}  # EXIF (GPS), XMP, text chunks, comments: none of it is written
    del image
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True, **keep)
    elif image_format == "PNG":
        clean.save(out, "PNG", optimize=True, **keep)
    else:
        clean.save(out, "WEBP", quality=90, **keep)
    return out.getvalue(), clean.width, clean.height
