"""Tokens of an outside OpenID Connect provider on a real service route (dispatch's board): its key set served on a
loopback port by the test, RSA and EC keys made here, its claims mapped to ours."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from services.dispatch.bootstrap import definition as dispatch_definition
from shared.auth import OidcSettings, OidcVerifier, issue_token
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime

ISSUER = "https://id.dadong.example/realms/grassroots"
AUDIENCE = "grassroots-api"


class Provider:
    """A key set on a loopback port; `keys` may change while it runs (a key rotation)."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.keys = [self.jwk(self.rsa, "rsa-1"), self.jwk(self.ec, "ec-1")]
        self.fetches = 0

    @staticmethod
    def jwk(private_key, kid: str) -> dict:
        if isinstance(private_key, rsa.RSAPrivateKey):
            key = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True) | {"alg": "RS256"}
        else:
            key = ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True) | {"alg": "ES256"}
        return key | {"kid": kid, "use": "sig"}

    def token(
        self, kid: str = "rsa-1", key=None, *, expires_in: timedelta = timedelta(minutes=5), **claims
    ) -> str:
        now = datetime.now(UTC)
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "oidc-dispatcher",
            "roles": ["dispatcher"],
            "iat": now,
            "exp": now + expires_in,
        } | claims
        signing_key = key or (self.rsa if kid.startswith("rsa") else self.ec)
        algorithm = "RS256" if isinstance(signing_key, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(body, signing_key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    keys = Provider()

    class KeySet(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            keys.fetches += 1
            body = json.dumps({"keys": keys.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), KeySet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield keys, f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def dispatch(
    provider, monkeypatch, settings_for, dispatch_pool, dispatch_context
) -> AsyncIterator[httpx.AsyncClient]:
    _, jwks_url = provider
    monkeypatch.setenv("OIDC_JWKS_URL", jwks_url)
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("OIDC_REFRESH_COOLDOWN_SECONDS", "0")
    async with _dispatch_app(settings_for, dispatch_context) as client:
        yield client


def _dispatch_app(settings_for, dispatch_context):
    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[httpx.AsyncClient]:
        definition = dispatch_definition()
        settings = settings_for(definition)
        app = create_app(definition, settings, ServiceRuntime(definition, settings, context=dispatch_context))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://dispatch.test"
            ) as client:
                yield client

    return running()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_good_token_signed_with_an_rsa_or_an_ec_key_reads_the_board(dispatch, provider):
    keys, _ = provider
    for kid in ("rsa-1", "ec-1"):
        response = await dispatch.get("/cases", headers=bearer(keys.token(kid)))
        assert response.status_code == 200, (kid, response.text)
    assert keys.fetches == 1, "the key set is kept, not fetched for every request"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"iss": "https://elsewhere.example"}, id="wrong-issuer"),
        pytest.param({"aud": "another-api"}, id="wrong-audience"),
        pytest.param({"expires_in": timedelta(minutes=-5)}, id="expired"),
    ],
)
async def test_a_token_of_another_issuer_or_audience_or_expired_is_refused(dispatch, provider, change):
    keys, _ = provider
    response = await dispatch.get("/cases", headers=bearer(keys.token(**change)))
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_signed_by_a_key_not_in_the_set_is_refused(dispatch, provider):
    keys, _ = provider
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unknown_kid = await dispatch.get("/cases", headers=bearer(keys.token("rsa-2", stranger)))
    assert unknown_kid.status_code == 401 and "rsa-2" in unknown_kid.json()["detail"]
    forged = await dispatch.get("/cases", headers=bearer(keys.token("rsa-1", stranger)))
    assert forged.status_code == 401 and "Signature" in forged.json()["detail"]


async def test_a_rotated_key_is_fetched_when_a_token_names_it(dispatch, provider):
    keys, _ = provider
    assert (await dispatch.get("/cases", headers=bearer(keys.token()))).status_code == 200
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys.keys.append(Provider.jwk(rotated, "rsa-2"))
    response = await dispatch.get("/cases", headers=bearer(keys.token("rsa-2", rotated)))
    assert response.status_code == 200, response.text
    assert keys.fetches == 2


async def test_the_community_claim_of_an_outside_token_scopes_the_board(dispatch, provider):
    keys, _ = provider
    token = keys.token(community="WG-TJ")
    own = await dispatch.get("/cases", params={"community_code": "WG-TJ"}, headers=bearer(token))
    assert own.status_code == 200, own.text
    other = await dispatch.get("/cases", params={"community_code": "WG-HP"}, headers=bearer(token))
    assert other.status_code == 403, other.text


async def test_our_own_tokens_still_pass_beside_the_provider(dispatch, settings_for):
    secret = settings_for(dispatch_definition()).auth_secret
    response = await dispatch.get("/cases", headers=bearer(issue_token(secret, "d-1", ["dispatcher"])))
    assert response.status_code == 200, response.text


async def test_without_a_provider_an_outside_token_is_refused(
    provider, monkeypatch, settings_for, dispatch_pool, dispatch_context
):
    keys, _ = provider
    monkeypatch.delenv("OIDC_JWKS_URL", raising=False)
    async with _dispatch_app(settings_for, dispatch_context) as client:
        response = await client.get("/cases", headers=bearer(keys.token()))
    assert response.status_code == 401 and "OIDC_JWKS_URL" in response.json()["detail"]
    assert keys.fetches == 0


def test_claim_names_are_configurable_and_unknown_roles_ignored():
    settings = OidcSettings(
        jwks_url="http://127.0.0.1:9/certs",
        issuer=ISSUER,
        audience=AUDIENCE,
        subject_claim="preferred_username",
        roles_claim="realm_access.roles",
        community_claim="grassroots_community",
        units_claim="grassroots_unit",
    )
    claims = {
        "preferred_username": "wang.handler",
        "realm_access": {"roles": ["handler", "offline_access", "uma_authorization"]},
        "grassroots_community": "WG-TJ",
        "grassroots_unit": "WG-TJ-property",
    }
    principal = OidcVerifier(settings).principal_of(claims)
    assert principal.subject == "wang.handler"
    assert principal.roles == {"handler"}
    assert principal.community_code == "WG-TJ" and principal.street_code is None
    assert principal.unit_ids == {"WG-TJ-property"}


def test_a_key_set_without_issuer_and_audience_is_a_configuration_error():
    with pytest.raises(ValueError, match="OIDC_ISSUER"):
        OidcSettings(jwks_url="http://127.0.0.1:9/certs", issuer="", audience="")
