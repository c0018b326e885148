"""Photos are accepted by their content, within the size limit, and stored without their metadata."""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import time
import zlib

import pytest
from PIL import Image

from services.patrol.adapters.photo_store import FilesystemPhotoStore
from services.patrol.context import PatrolSettings
from services.patrol.domain.photos import PhotoRejected, clean_photo

LIMIT = 2 * 1024 * 1024
GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 48.0, 50.0), 3: "E", 4: (123.0, 28.0, 34.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 128, 0)).save(out, image_format)
    return out.getvalue()


def test_the_fixture_photo_really_carries_gps_before_cleaning():
    assert GPS_IFD in Image.open(io.BytesIO(jpeg_with_gps())).getexif()


def test_a_cleaned_jpeg_has_no_exif_and_no_gps_left():
    cleaned = clean_photo(jpeg_with_gps(), field="photos[0]", max_bytes=LIMIT)
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert reopened.format == "JPEG"
    assert len(reopened.getexif()) == 0
    assert b"PhoneMaker" not in cleaned.data
    assert cleaned.extension == "jpg" and cleaned.content_type == "image/jpeg"
    assert (cleaned.width, cleaned.height) == (64, 48)


def test_the_stored_name_is_the_sha256_of_the_cleaned_bytes():
    cleaned = clean_photo(jpeg_with_gps(), field="photos[0]", max_bytes=LIMIT)
    assert cleaned.file_name == hashlib.sha256(cleaned.data).hexdigest() + ".jpg"


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("WEBP", "webp"), ("JPEG", "jpg")])
def test_png_webp_and_jpeg_are_accepted_with_the_extension_of_what_they_are(image_format, extension):
    assert clean_photo(image_bytes(image_format), field="photos[0]", max_bytes=LIMIT).extension == extension


def test_text_pretending_to_be_a_jpeg_is_refused_naming_the_photo():
    with pytest.raises(PhotoRejected) as refused:
        clean_photo(b"this is not a picture at all\n" * 10, field="photos[2]", max_bytes=LIMIT)
    assert refused.value.field == "photos[2]"
    assert "not a JPEG, PNG or WebP" in refused.value.reason


def test_an_image_of_another_format_is_refused():
    with pytest.raises(PhotoRejected):
        clean_photo(image_bytes("GIF"), field="photos[0]", max_bytes=LIMIT)


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(PhotoRejected):
        clean_photo(jpeg_with_gps()[:200], field="photos[0]", max_bytes=LIMIT)


def test_a_photo_over_the_size_limit_is_refused_with_both_sizes():
    data = image_bytes("PNG")
    with pytest.raises(PhotoRejected) as refused:
        clean_photo(data, field="photos[0]", max_bytes=len(data) - 1)
    assert str(len(data)) in refused.value.reason


def test_the_filesystem_store_keeps_a_photo_once_and_returns_it(tmp_path):
    store = FilesystemPhotoStore(tmp_path)
    cleaned = clean_photo(image_bytes("PNG"), field="photos[0]", max_bytes=LIMIT)

    async def scenario() -> bytes | None:
        await store.put(cleaned.file_name, cleaned.data)
        await store.put(cleaned.file_name, cleaned.data)
        return await store.get(cleaned.file_name)

    assert asyncio.run(scenario()) == cleaned.data
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [cleaned.file_name]


def test_the_filesystem_store_refuses_names_that_are_not_content_addresses(tmp_path):
    with pytest.raises(ValueError):
        asyncio.run(FilesystemPhotoStore(tmp_path).put("../../etc/passwd", b"x"))


def test_a_png_loses_its_exif_chunk():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (41.0, 48.0, 50.0)})
    out = io.BytesIO()
    Image.new("RGB", (12, 12), (1, 2, 3)).save(out, "PNG", exif=exif.tobytes())
    assert b"PhoneMaker" in out.getvalue()
    cleaned = clean_photo(out.getvalue(), field="photos[0]", max_bytes=LIMIT)
    assert b"PhoneMaker" not in cleaned.data and b"eXIf" not in cleaned.data
    assert len(Image.open(io.BytesIO(cleaned.data)).getexif()) == 0


def test_a_photo_taken_sideways_is_stored_upright_since_its_orientation_tag_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(out, "JPEG", exif=exif)
    cleaned = clean_photo(out.getvalue(), field="photos[0]", max_bytes=LIMIT)
    assert (cleaned.width, cleaned.height) == (30, 40)
    assert Image.open(io.BytesIO(cleaned.data)).size == (30, 40)


def test_photo_links_follow_the_port_the_service_runs_on_unless_a_public_address_is_set():
    assert PatrolSettings(service_name="patrol", http_port=9101).public_base_url == "http://127.0.0.1:9101"
    behind_proxy = PatrolSettings(
        service_name="patrol", http_port=9101, public_base_url="https://patrol.example.gov.cn/"
    )
    assert behind_proxy.public_base_url == "https://patrol.example.gov.cn/"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with one empty row of data: nothing to decode cheaply."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (20_000, 20_000)])
def test_a_decompression_bomb_is_refused_for_its_pixels_naming_the_photo(width, height):
    with pytest.raises(PhotoRejected) as refused:
        clean_photo(png_header_only(width, height), field="photos[3]", max_bytes=LIMIT)
    assert refused.value.field == "photos[3]"
    assert "million pixels" in refused.value.reason


def test_a_png_above_sixteen_megapixels_is_refused_by_its_header_before_decoding():
    started = time.monotonic()
    with pytest.raises(PhotoRejected) as refused:
        clean_photo(png_header_only(4_001, 4_000), field="photos[0]", max_bytes=LIMIT)
    assert "more than 16 million pixels" in refused.value.reason
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(("size", "kept"), [((8_000, 3_000), (4_000, 1_500)), ((8_200, 3_000), (2_050, 750))])
def test_a_large_baseline_jpeg_is_decoded_at_the_scale_that_fits_4096(size, kept):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(out, "JPEG")
    cleaned = clean_photo(out.getvalue(), field="photos[0]", max_bytes=LIMIT)
    assert (cleaned.width, cleaned.height) == kept
    assert Image.open(io.BytesIO(cleaned.data)).size == kept


def test_a_wide_png_is_kept_at_most_4096_wide():
    out = io.BytesIO()
    Image.new("RGB", (8_000, 1_000), (30, 60, 90)).save(out, "PNG")
    cleaned = clean_photo(out.getvalue(), field="photos[0]", max_bytes=LIMIT)
    assert (cleaned.width, cleaned.height) == (4_096, 512)


def test_a_progressive_jpeg_is_decoded_whole_so_it_has_the_lower_limit():
    out = io.BytesIO()
    Image.new("RGB", (5_000, 4_000), (30, 60, 90)).save(out, "JPEG", progressive=True)
    with pytest.raises(PhotoRejected) as refused:
        clean_photo(out.getvalue(), field="photos[0]", max_bytes=LIMIT)
    assert "more than 16 million pixels" in refused.value.reason
