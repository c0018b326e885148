"""A tile server under the case map: the console fetches the tiles, so the browser loads them from it alone."""

from __future__ import annotations

import httpx

from services.console.bootstrap import definition as console_definition
from services.console.context import ConsoleContext
from services.console.domain.map import district_map
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.integration.console.conftest import BUNDLE, make_account, sign_in

PNG = b"\x89PNG\r\n\x1a\n tile"


async def test_the_map_shows_the_configured_tile_servers_tiles_through_the_console(
    settings_for, console_pool
):
    asked: list[str] = []

    def tile_server(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "tiles.intranet":
            return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
        return httpx.Response(404)

    service = console_definition()
    settings = settings_for(service, map_tile_url="http://tiles.intranet/{z}/{x}/{y}.png")
    context = ConsoleContext(settings=settings, bundle=BUNDLE)
    context.platform.client = httpx.AsyncClient(transport=httpx.MockTransport(tile_server))
    app = create_app(service, settings, ServiceRuntime(service, settings, context=context))
    await make_account(console_pool, "map-desk", "dispatcher")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console.test"
        ) as browser:
            await sign_in(browser, "map-desk")
            first = district_map(BUNDLE).tiles()[0]
            answer = await browser.get(f"/desk/map/tiles/{first.z}/{first.x}/{first.y}")
            assert (answer.status_code, answer.content) == (200, PNG)
            assert asked == [f"http://tiles.intranet/{first.z}/{first.x}/{first.y}.png"]
            elsewhere = await browser.get(f"/desk/map/tiles/{first.z}/0/0")
            assert (
                elsewhere.status_code == 404 and len(asked) == 1
            )  # only tiles under the district are fetched
