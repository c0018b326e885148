"""The audit trail cannot be rewritten: not by the service's role, and not by anyone through the tables' triggers."""

from __future__ import annotations

import asyncpg
import pytest

from tests.integration.dispatch.helpers import a_report, deliver

REWRITES = [
    "UPDATE case_transitions SET actor = 'someone else'",
    "DELETE FROM case_transitions",
    "UPDATE reference_changes SET changed_by = 'someone else'",
    "DELETE FROM reference_changes",
    "UPDATE escalations SET escalated_to = 'nobody'",
    "DELETE FROM escalations",
]


@pytest.mark.parametrize("statement", REWRITES)
async def test_the_service_role_cannot_rewrite_the_audit(pool, context, statement):
    await deliver(pool, context, a_report())
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute(statement)


async def test_even_an_administrator_is_refused_by_the_trigger(pool, context, admin_db):
    await deliver(pool, context, a_report())
    assert await admin_db.fetchval("SELECT count(*) FROM dispatch.case_transitions") == 1
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await admin_db.execute("UPDATE dispatch.case_transitions SET actor = 'someone else'")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await admin_db.execute("DELETE FROM dispatch.case_transitions")
    assert await admin_db.fetchval("SELECT count(*) FROM dispatch.case_transitions") == 1


async def test_the_audit_still_grows(pool, context):
    await deliver(pool, context, a_report())
    await deliver(pool, context, a_report(north_m=500))
    assert await pool.fetchval("SELECT count(*) FROM case_transitions") == 2
