"""One load phase of the pipeline: offer reports at a rate, wait until each is assigned and delivered, measure."""

from __future__ import annotations

from dataclasses import dataclass

from bench.feed import Spots, offer
from bench.measure import CpuMeter, percentiles
from bench.observe import Tracker


@dataclass(frozen=True)
class Phase:
    feed: str  # "http" or "outbox"
    rate: float | None  # reports a second offered; None: saturation
    reports: int
    batch: int = 1  # reports per transaction (outbox at saturation)

    @property
    def label(self) -> str:
        return f"{self.feed} {'saturation' if self.rate is None else f'{self.rate:g}/s'}"


def correctness(tracker: Tracker, report_ids: list[str], offered: int) -> dict[str, object]:
    """Every report committed, assigned by exactly one event, and delivered by exactly one webhook call."""
    committed = [r for r in report_ids if r in tracker.committed]
    assigned_counts = [len(tracker.assigned.get(r, [])) for r in committed]
    delivered_counts = [len(tracker.delivered_at(r)) for r in committed]
    events = {event_id for r in committed for event_id, _ in tracker.assigned.get(r, [])}
    redelivered = sum(tracker.assigned_messages[e] - 1 for e in events)
    result = {
        "offered": offered,
        "committed": len(committed),
        "assigned_once": sum(1 for n in assigned_counts if n == 1),
        "assigned_never": sum(1 for n in assigned_counts if n == 0),
        "assigned_more_than_once": sum(1 for n in assigned_counts if n > 1),
        "notified_once": sum(1 for n in delivered_counts if n == 1),
        "notified_never": sum(1 for n in delivered_counts if n == 0),
        "notified_more_than_once": sum(1 for n in delivered_counts if n > 1),
        "assigned_copies_redelivered": redelivered,
    }
    result["ok"] = (
        result["committed"] == offered
        and result["assigned_once"] == offered
        and result["notified_once"] == offered
    )
    return result


async def run_phase(
    phase: Phase, feeder, spots: Spots, tracker: Tracker, groups: dict[str, list[int]], drain_timeout: float
) -> dict[str, object]:
    meter = CpuMeter(groups)
    errors_before = len(feeder.errors)
    report_ids, offered_rate = await offer(
        feeder, [spots.next() for _ in range(phase.reports)], rate=phase.rate, batch=phase.batch
    )
    drained = await tracker.wait_complete([r for r in report_ids if r in tracker.committed], drain_timeout)
    cpu = meter.used()
    committed = [tracker.committed[r] for r in report_ids if r in tracker.committed]
    to_assigned, to_delivered, assigned_at, delivered_at = [], [], [], []
    for report_id in report_ids:
        commit = tracker.committed.get(report_id)
        first = tracker.first_assigned(report_id)
        deliveries = tracker.delivered_at(report_id)
        if commit is None:
            continue
        if first is not None:
            to_assigned.append((first - commit) * 1000)
            assigned_at.append(first)
        if deliveries:
            to_delivered.append((deliveries[0][1] - commit) * 1000)
            delivered_at.append(deliveries[0][1])
    span_assigned = max(assigned_at) - min(committed) if assigned_at and committed else 0.0
    span_delivered = max(delivered_at) - min(committed) if delivered_at and committed else 0.0
    return {
        "label": phase.label,
        "feed": phase.feed,
        "offered_rate": phase.rate,
        "achieved_offered_rate": round(offered_rate, 1),
        "reports": phase.reports,
        "reports_per_transaction": phase.batch,
        "drained": drained,
        "throughput_assigned": round(len(assigned_at) / span_assigned, 1) if span_assigned else 0.0,
        "throughput_delivered": round(len(delivered_at) / span_delivered, 1) if span_delivered else 0.0,
        "latency_to_assigned_ms": rounded(percentiles(to_assigned).as_dict()),
        "latency_to_delivered_ms": rounded(percentiles(to_delivered).as_dict()),
        "cpu_seconds": cpu,
        "feed_errors": feeder.errors[errors_before:][:5],
        "correctness": correctness(tracker, report_ids, phase.reports),
    }


def rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 1) if isinstance(value, float) else value for key, value in values.items()}
