"""`python -m services.console create-account --username admin --role admin`: the first account, from a shell.

The password is read from standard input when it is not a terminal (`echo … | python -m …`), else prompted for.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from services.console.handlers import accounts
from shared.auth import ROLES
from shared.db.pool import connect


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.console create-account", description=__doc__)
    parser.add_argument("--username", required=True)
    parser.add_argument(
        "--role", action="append", required=True, choices=[r for r in ROLES if r != "service"]
    )
    parser.add_argument("--display-name", default="")
    parser.add_argument("--community", help="community code (watchers and community workers need one)")
    parser.add_argument("--street", help="street code (a dispatcher of one street)")
    parser.add_argument("--unit", help="unit id (handlers need one)")
    return parser


def read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("the two passwords differ")
    return first


async def create_account_command(
    settings: Any, _context: Any, argv: list[str] | None = None
) -> dict[str, object]:
    """Create a console account (the password from stdin or a prompt)."""
    args = parser().parse_args(sys.argv[2:] if argv is None else argv)
    new = accounts.NewAccount(
        username=args.username,
        password=read_password(),
        display_name=args.display_name,
        roles=tuple(args.role),
        community_code=args.community,
        street_code=args.street,
        unit_id=args.unit,
    )
    conn = await connect(settings.database_url, "console")
    try:
        made = await accounts.create(conn, new)
    except accounts.AccountRejected as error:
        raise SystemExit(f"{error.field}: {error.reason}") from None
    finally:
        await conn.close()
    return {"created": made.username, "roles": list(made.roles)}
