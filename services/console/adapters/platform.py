"""The four public APIs, called with the signed-in person's own token: the console keeps none of their data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.observability import tracing


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
        self._case_numbers: dict[str, str] = {}  # a case's number never changes once given

    async def call(self, token: str | None, method: str, service: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= tracing.outgoing_headers()  # the API's spans join the page's trace
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

    async def listing(self, token: str | None, service: str, path: str, **params: Any) -> list[Any]:
        """A GET of a list: the rows, whether the API answers a bare list or a page (`{"items": [...]}`, or its one
        list under another name, as patrol's `{"total", "watchers"}`)."""
        answer = await self.call(token, "GET", service, path, params=params)
        if isinstance(answer, list):
            return answer
        if "items" in answer:
            return list(answer["items"])
        return next((list(value) for value in answer.values() if isinstance(value, list)), [])

    async def case_numbers(self, token: str | None, case_ids: set[str]) -> dict[str, str]:
        """The numbers of those cases the person may read in dispatch (the others are left out)."""

        async def look_up(case_id: str) -> None:
            try:
                case = await self.call(token, "GET", "dispatch", f"/cases/{case_id}")
            except ApiError:
                return
            if case.get("case_number"):
                self._case_numbers[case_id] = case["case_number"]

        await asyncio.gather(*(look_up(case_id) for case_id in case_ids - self._case_numbers.keys()))
        return {case_id: self._case_numbers[case_id] for case_id in case_ids if case_id in self._case_numbers}

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
