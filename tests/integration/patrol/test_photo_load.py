"""Photos cannot exhaust patrol: checked by their header before decoding, a few decoded at once, the rest 503.

Patrol runs as its own process here, so the memory measured is that of the process that decodes.
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
import time
import zlib

import httpx
import pytest
from PIL import Image

from services.patrol.context import PatrolSettings
from shared.auth import issue_token
from tests.support.processes import free_port, memory_mb, service_process

RSS_LIMIT_MB = 400
AT_ONCE = 20


def png_16bit_rgba(side: int) -> bytes:
    """A PNG of side × side 16-bit RGBA pixels, all zero: some 300 KB on the wire for 40 M pixels at 6324."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = bytes(1 + side * 8)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def encoded(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()


@pytest.fixture(scope="module")
def forty_megapixel_png() -> bytes:
    return png_16bit_rgba(6324)


@pytest.fixture(scope="module")
def photos_at_the_limits() -> list[bytes]:
    """The largest photos accepted: a 50 MP baseline JPEG (8160 × 6120) and a 16 MP PNG."""
    jpeg = encoded(Image.new("RGB", (8160, 6120), (120, 90, 60)), "JPEG")
    png = encoded(Image.new("RGBA", (4000, 4000), (10, 200, 30, 255)), "PNG")
    return [jpeg, png]


@pytest.fixture
async def patrol_process(infra, topology, tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=infra.database_url("patrol"),
        RABBITMQ_URL=infra.rabbitmq_url,
        AMQP_NAMESPACE=topology.namespace,
        PHOTO_DIR=str(tmp_path / "photos"),
        LOG_LEVEL="WARNING",
    )
    async with service_process("patrol", env, port) as process:
        yield process, f"http://127.0.0.1:{port}"


async def upload_all(base_url: str, photos: list[bytes]) -> list[httpx.Response]:
    token = issue_token(PatrolSettings(service_name="patrol").auth_secret, "w-0101", ["watcher"])
    form = {
        "category": "fire.balcony-storage",
        "description": "阳台堆放纸箱",
        "lat": "41.782",
        "lon": "123.452",
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:

        async def upload(photo: bytes) -> httpx.Response:
            return await client.post(
                "/reports",
                data=form,
                files=[("photos", ("photo", photo, "application/octet-stream"))],
                headers={"Authorization": f"Bearer {token}"},
            )

        return await asyncio.gather(*(upload(photo) for photo in photos))


async def health_latency_while(base_url: str, work: asyncio.Task) -> float:
    """The slowest /healthz answer while `work` runs, in seconds."""
    slowest = 0.0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        while not work.done():
            started = time.monotonic()
            await client.get("/healthz")
            slowest = max(slowest, time.monotonic() - started)
            await asyncio.sleep(0.05)
    return slowest


async def test_twenty_forty_megapixel_pngs_at_once_are_refused_by_their_header_and_memory_stays_low(
    patrol_process, forty_megapixel_png
):
    process, base_url = patrol_process
    responses = await upload_all(base_url, [forty_megapixel_png] * AT_ONCE)
    memory = memory_mb(process.pid)
    print(f"patrol: peak RSS {memory['VmHWM']:.0f} MB, {memory['VmRSS']:.0f} MB after")
    assert memory["VmHWM"] < RSS_LIMIT_MB, memory
    assert {r.status_code for r in responses} <= {201, 422, 503}, [r.text for r in responses]
    [detail] = responses[0].json()["errors"]
    assert responses[0].status_code == 422 and detail["loc"] == ["body", "photos[0]"]
    assert "million pixels" in detail["reason"]


async def test_twenty_photos_at_the_limits_at_once_keep_memory_bounded_and_busy_ones_get_retry_after(
    patrol_process, photos_at_the_limits
):
    process, base_url = patrol_process
    uploads = asyncio.create_task(upload_all(base_url, photos_at_the_limits * (AT_ONCE // 2)))
    slowest_health = await health_latency_while(base_url, uploads)
    responses = await uploads
    statuses = [r.status_code for r in responses]
    memory = memory_mb(process.pid)
    print(
        f"patrol: peak RSS {memory['VmHWM']:.0f} MB, {memory['VmRSS']:.0f} MB after; "
        f"slowest /healthz {slowest_health * 1000:.0f} ms; answers {statuses}"
    )
    assert memory["VmHWM"] < RSS_LIMIT_MB, memory
    assert memory["VmRSS"] < RSS_LIMIT_MB / 2, "the decoded pixels' memory goes back to the system"
    assert slowest_health < 2.0, "decoding runs in worker threads: the event loop keeps answering"
    assert set(statuses) <= {201, 503}, [r.text for r in responses]
    assert 201 in statuses
    assert all(int(r.headers["Retry-After"]) >= 1 for r in responses if r.status_code == 503)


async def test_a_decompression_bomb_is_a_422_naming_the_photo_field(patrol):
    from tests.unit.patrol.test_photos import png_header_only

    response = await patrol.client.post(
        "/reports",
        data={"category": "fire.balcony-storage", "description": "纸箱", "lat": "41.782", "lon": "123.452"},
        files=[
            ("photos", ("a.png", encoded(Image.new("RGB", (8, 8)), "PNG"), "image/png")),
            ("photos", ("bomb.png", png_header_only(20_000, 20_000), "image/png")),
        ],
        headers=patrol.token("w-0101", "watcher"),
    )
    assert response.status_code == 422, response.text
    [detail] = response.json()["errors"]
    assert detail["loc"] == ["body", "photos[1]"] and "million pixels" in detail["reason"]
