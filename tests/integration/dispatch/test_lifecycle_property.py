"""Random sequences of actions on a real case, through the real handlers and database: the stored state, the
audit trail and the published events stay in step with the lifecycle table, whatever the order."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from services.dispatch.context import DispatchContext, DispatchSettings
from services.dispatch.domain.lifecycle import TRANSITIONS, InvalidTransition
from services.dispatch.handlers import actions
from services.dispatch.handlers.intake import handle_hazard_withdrawn
from services.dispatch.handlers.reference import load_reference
from services.dispatch.handlers.sweeper import sweep_overdue
from shared.auth import Principal
from shared.clock import ManualClock
from shared.db.pool import create_pool
from shared.events import Event
from shared.events.catalogue.hazard import HazardWithdrawn
from shared.events.envelope import new_envelope
from shared.unit_of_work import UnitOfWork, unit_of_work
from tests.integration.dispatch.helpers import BUNDLE, DISPATCH, PATROL, START, a_report, deliver

ADMIN = Principal("a-1", frozenset({"admin"}))
COMMANDS = {
    "accept": ((), "dispatch.accepted"),
    "start": ((), None),
    "resolve": (("已处理", None), "issue.resolved"),
    "return": (("不归我们管",), "dispatch.returned"),
    "reassign": (("WG-TJ-committee", "改派社区"), "dispatch.reassigned"),
    "verify": ((), "issue.closed"),
    "reopen": (("没修好",), "issue.reopened"),
}
HANDLERS = {"return": actions.return_case}


class CaseOnTheDatabase(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    pool = None

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        settings_ = DispatchSettings(service_name="dispatch", load_reference_on_start=False)
        self.context = DispatchContext(settings=settings_, clock=self.clock, bundle=BUNDLE)
        self.run(
            self.pool.execute(
                "TRUNCATE escalations, case_transitions, withdrawals, reports, cases, outbox, inbox CASCADE"
            )
        )
        self.report = a_report(severity="urgent")
        self.run(deliver(self.pool, self.context, self.report))
        self.case_id = self.run(self.pool.fetchval("SELECT case_id FROM cases"))
        self.status = "assigned"
        self.audited = 1
        self.events: Counter[str] = Counter({"dispatch.assigned": 1})
        self.withdrawn = False
        self.resolved_at = None

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    @rule(action=st.sampled_from(sorted(COMMANDS)))
    def command(self, action: str) -> None:
        args, event_type = COMMANDS[action]
        handler = HANDLERS.get(action, getattr(actions, action, None))
        expected = TRANSITIONS.get((self.status, action))

        async def act() -> None:
            async with unit_of_work(self.pool, DISPATCH, self.context) as uow:
                await handler(uow, self.case_id, ADMIN, *args)

        try:
            self.run(act())
        except InvalidTransition as refused:
            assert expected is None, f"{action} refused in {self.status}"
            assert refused.current == self.status
            return
        assert expected is not None, f"{action} accepted in {self.status}"
        self.status = expected
        self.audited += 1
        if event_type:
            self.events[event_type] += 1
        self.resolved_at = self.clock.now() if action == "resolve" else self.resolved_at

    @rule()
    def the_report_is_withdrawn(self) -> None:
        data = HazardWithdrawn(
            report_id=self.report.report_id, reason="已自行处理", withdrawn_at=self.clock.now()
        )
        envelope = new_envelope(data, source=PATROL)

        async def act() -> None:
            async with self.pool.acquire() as conn, conn.transaction():
                await handle_hazard_withdrawn(
                    UnitOfWork(conn, DISPATCH, envelope, self.context), Event(envelope, data)
                )

        self.run(act())
        if self.withdrawn:
            return
        self.withdrawn = True
        self.audited += 1
        if self.status in ("assigned", "returned"):
            self.status = "cancelled"
            self.events["dispatch.cancelled"] += 1

    @rule(hours=st.integers(min_value=1, max_value=200))
    def time_passes_and_the_sweeper_runs(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        result = self.run(sweep_overdue(self.pool, self.context, DISPATCH))
        if result.closed:
            assert self.status == "resolved"
            assert self.clock.now() - self.resolved_at >= self.context.policy.auto_close_after
            self.status = "closed"
            self.audited += 1
            self.events["issue.closed"] += 1

    @invariant()
    def the_stored_state_audit_and_events_agree_with_the_model(self) -> None:
        async def read():
            status = await self.pool.fetchval("SELECT status FROM cases WHERE case_id = $1", self.case_id)
            trail = await self.pool.fetch(
                "SELECT from_status, to_status FROM case_transitions ORDER BY transition_id"
            )
            escalations = await self.pool.fetchval("SELECT count(*) FROM escalations")
            per_cycle = await self.pool.fetchval(
                "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM escalations GROUP BY cycle) c"
            )
            events = Counter(
                dict(await self.pool.fetch("SELECT event_type, count(*) FROM outbox GROUP BY 1"))
            )
            return status, trail, escalations, per_cycle, events

        status, trail, escalations, per_cycle, events = self.run(read())
        assert status == self.status
        assert len(trail) == self.audited + escalations, "an audit entry is missing or extra"
        assert trail[0]["from_status"] is None
        for previous, entry in zip(trail, trail[1:], strict=False):
            assert entry["from_status"] == previous["to_status"], "the audit trail skips a step"
        assert trail[-1]["to_status"] == status
        assert per_cycle <= 2, "escalated more than once per level"
        assert events == self.events + Counter({"dispatch.escalated": escalations}) - Counter()


def test_random_actions_on_a_real_case_keep_its_state_audit_and_events_in_step(infra):
    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(create_pool(infra.database_url("dispatch"), "dispatch"))
    try:
        loop.run_until_complete(pool.execute("TRUNCATE routing_rules, units, reference_version CASCADE"))
        loop.run_until_complete(_load(pool))
        CaseOnTheDatabase.loop, CaseOnTheDatabase.pool = loop, pool
        run_state_machine_as_test(
            CaseOnTheDatabase, settings=settings(max_examples=40, stateful_step_count=20, deadline=None)
        )
    finally:
        loop.run_until_complete(pool.close())
        loop.close()


async def _load(pool) -> None:
    async with pool.acquire() as conn:
        await load_reference(conn, BUNDLE, at=START)
