"""The four public APIs, called with the signed-in person's own token: the console keeps none of their data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class ApiError(Exception):
    """An API said no. `fields` maps a form field to its message when the API named one (a 422's `errors`, or
    the `field` of another refusal)."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


def field_errors(problem: Any) -> dict[str, str]:
    """An API's problem details (`errors: [{"loc": [where, field, ...], "reason": ...}]`, or a `field` it names)
    as form field → message."""
    errors: dict[str, str] = {}
    if not isinstance(problem, dict):
        return errors
    for item in problem.get("errors") or []:
        if not isinstance(item, dict):
            continue
        loc = [str(part) for part in item.get("loc", []) if not isinstance(part, int)]
        name = loc[-1] if loc else "form"
        errors.setdefault(_form_field(name), str(item.get("reason", "invalid")))
    if not errors and problem.get("field"):
        errors[str(problem["field"])] = str(problem.get("detail") or "invalid")
    return errors


def _form_field(name: str) -> str:
    """`attribute[cover_state]` → `cover_state` (a category's own field); `photos[0]` → `photos`."""
    if name.startswith("attribute[") and name.endswith("]"):
        return name[len("attribute[") : -1]
    return name.split("[")[0]


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"detail": response.text[:300] or response.reason_phrase}


PAGE = 500  # the largest page every list of the four APIs gives


class Platform:
    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self.client = client
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}

    async def call(self, token: str | None, method: str, service: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.client.request(
                method, f"{self.urls[service]}{path}", headers=headers, **kwargs
            )
        except httpx.TransportError as error:
            raise ApiError(503, f"{service} is not reachable: {error.__class__.__name__}") from None
        if response.status_code >= 400:
            problem = _problem(response)
            message = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
            raise ApiError(response.status_code, message, field_errors(problem))
        return response.json() if response.content else None

    async def every(
        self, token: str | None, service: str, path: str, params: dict[str, Any] | None = None
    ) -> list[Any]:
        """Every item of a list the API answers a page at a time (`{items, total, limit, offset}`)."""
        items: list[Any] = []
        while True:
            page = await self.call(
                token, "GET", service, path, params={**(params or {}), "limit": PAGE, "offset": len(items)}
            )
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items

    async def raw(self, service: str, path: str) -> httpx.Response:
        return await self.client.get(f"{self.urls[service]}{path}")

    async def close(self) -> None:
        await self.client.aclose()
