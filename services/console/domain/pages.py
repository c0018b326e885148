"""Which pages a role sees, and where a person lands after signing in."""

from __future__ import annotations

from collections.abc import Iterable

# (path, message key of its title, roles that see it), in the order the menu shows them.
PAGES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/watcher", "page.watcher", frozenset({"watcher", "resident"})),
    ("/desk", "page.desk", frozenset({"dispatcher"})),
    ("/desk/map", "page.map", frozenset({"dispatcher"})),
    ("/inbox", "page.inbox", frozenset({"handler"})),
    ("/community", "page.community", frozenset({"community_worker"})),
    ("/community/roster", "page.roster", frozenset({"community_worker"})),
    # Secretaries sign in as community workers: training's person id is their console username.
    ("/training", "page.training", frozenset({"trainer", "community_worker"})),
    ("/training/reserve", "page.reserve", frozenset({"trainer", "community_worker"})),
    ("/training/cup", "page.cup", frozenset({"trainer", "community_worker"})),
    ("/training/figures", "page.figures", frozenset({"trainer", "community_worker"})),
    ("/admin/accounts", "page.accounts", frozenset({"admin"})),
    ("/docs", "page.docs", frozenset({"admin", "dispatcher"})),
)
# What each role needs beside its roles: a watcher reports in a community, a handler works for a unit.
NEEDS: dict[str, tuple[str, ...]] = {
    "watcher": ("community_code",),
    "community_worker": ("community_code",),
    "handler": ("unit_id",),
}


def may_see(roles: Iterable[str], path: str) -> bool:
    held = set(roles)
    return any(path == page and (held & allowed or "admin" in held) for page, _, allowed in PAGES)


def menu(roles: Iterable[str]) -> list[tuple[str, str]]:
    held = set(roles)
    return [(path, title) for path, title, allowed in PAGES if held & allowed]


def home(roles: Iterable[str]) -> str:
    pages = menu(roles)
    return pages[0][0] if pages else "/account"


def missing_for(roles: Iterable[str], given: dict[str, str | None]) -> list[str]:
    """The fields an account with these roles lacks (e.g. a handler without a unit)."""
    return sorted({need for role in roles for need in NEEDS.get(role, ()) if not given.get(need)})
