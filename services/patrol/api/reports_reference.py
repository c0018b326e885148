"""The category catalogue and the report photos, for the watchers' app (both readable without a token)."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Depends, Response

from services.patrol.adapters.photo_store import is_photo_name
from services.patrol.api.report_models import Category
from services.patrol.context import PatrolContext
from services.patrol.domain.photos import EXTENSIONS
from services.patrol.handlers.reference import ensure_reference
from shared.errors import NotFound
from shared.runtime.app import context_of, pool_of

router = APIRouter(tags=["reports"])


@router.get("/categories", summary="The hazard and need categories, in catalogue order")
async def categories(
    pool: asyncpg.Pool = Depends(pool_of), context: PatrolContext = Depends(context_of)
) -> list[Category]:
    async with pool.acquire() as conn:
        await ensure_reference(conn, context.bundle, context.reference_loaded)
        rows = await conn.fetch(
            """SELECT code, group_code, kind, name_zh, name_en, keywords, default_severity, attributes
                 FROM categories WHERE active ORDER BY position"""
        )
    return [
        {
            "code": row["code"],
            "group": row["group_code"],
            "kind": row["kind"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "keywords": list(row["keywords"]),
            "default_severity": row["default_severity"],
            "attributes": row["attributes"],
        }
        for row in rows
    ]


@router.get(
    "/photos/{name}",
    summary="A report photo by its content address, `<sha256>.<jpg|png|webp>`",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
async def photo(name: str, context: PatrolContext = Depends(context_of)) -> Response:
    data = await context.photos.get(name) if is_photo_name(name) else None
    if data is None:
        raise NotFound("name", f"no photo {name}")
    return Response(
        data,
        media_type=EXTENSIONS[name.rsplit(".", 1)[1]],
        headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"},
    )
