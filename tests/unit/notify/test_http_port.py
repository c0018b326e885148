"""The HTTP port the webhook, robot and SMS channels share: what an answer, a silence or a redirect comes to."""

from __future__ import annotations

import json
import socket

from services.notify.adapters.channels.port import HttpClient, post_json, result_of_status


async def test_the_answer_is_read_whole_and_the_body_goes_as_json(local_http, http):
    local_http.answers = [(201, {"accepted": "是"})]
    response = await post_json(http, local_http.url("/hook"), '{"text": "新案件"}'.encode(), {"X-Extra": "1"})
    assert (response.status_code, response.json()) == (201, {"accepted": "是"})
    assert result_of_status(response).outcome == "success"
    seen = local_http.seen[0]
    assert json.loads(seen.body) == {"text": "新案件"}
    assert (
        seen.headers["Content-Type"] == "application/json; charset=utf-8" and seen.headers["X-Extra"] == "1"
    )


async def test_connections_are_kept_alive_between_requests(local_http, http):
    for _ in range(3):
        await post_json(http, local_http.url("/hook"), b"{}")
    assert len({seen.client_port for seen in local_http.seen}) == 1


async def test_a_receiver_that_does_not_answer_in_time_is_a_transient_timeout(local_http, http):
    result = await post_json(http, local_http.url("/slow"), b"{}")
    assert result.outcome == "transient" and result.detail.startswith("timeout: ")


async def test_a_redirect_is_an_answer_not_followed(local_http, http):
    response = await post_json(http, local_http.url("/moved"), b"{}")
    assert response.status_code == 302 and len(local_http.seen) == 1
    assert result_of_status(response).outcome == "permanent"


async def test_the_client_opens_again_after_it_was_closed(local_http):
    client = HttpClient(timeout_seconds=1)
    await client.aclose()  # closing what never opened is harmless
    assert (await post_json(client, local_http.url("/hook"), b"{}")).status_code == 200
    await client.aclose()
    assert (await post_json(client, local_http.url("/hook"), b"{}")).status_code == 200
    await client.aclose()


def _no_proxy_settings(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_proxy_from_the_environment_is_used(local_http, monkeypatch):
    _no_proxy_settings(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", local_http.base)  # the local server stands in for the proxy
    client = HttpClient(timeout_seconds=1)
    try:
        response = await post_json(client, "http://receiver.example:8080/hook", b"{}")
    finally:
        await client.aclose()
    assert response.status_code == 200
    assert local_http.seen[0].headers["Host"] == "receiver.example:8080"


async def test_no_proxy_names_the_hosts_reached_directly(local_http, monkeypatch):
    _no_proxy_settings(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = HttpClient(timeout_seconds=1)
    try:
        response = await post_json(client, local_http.url("/hook"), b"{}")
    finally:
        await client.aclose()
    assert response.status_code == 200 and len(local_http.seen) == 1
