"""Forgery protection: the double-submit pattern with an HMAC.

Every browser gets a random seed in an HttpOnly, SameSite=Strict cookie; every form carries
HMAC(secret, seed) in a hidden field (or htmx sends it as a header). Another site can neither read the seed nor
compute the token, so a POST it forges lacks a matching token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SEED_COOKIE = "console_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def new_seed() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: str, seed: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def is_valid(secret: str, seed: str | None, token: str | None) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(token_for(secret, seed), token)
