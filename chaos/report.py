"""The run's outputs: recovery per fault, the JSON with every figure, a Markdown table and a timeline plot."""

from __future__ import annotations

import json
from pathlib import Path

from bench.observe import Tracker
from chaos.checker import Evidence, first_delivery_at
from chaos.faults import Injected


def recovery(
    injected: list[Injected], evidence: Evidence, sink: Tracker, origin: float
) -> list[dict[str, object]]:
    """Per fault: how long from its injection until a report acknowledged after it was delivered (the pipeline
    flows end to end again), and until every report acknowledged before it was over was delivered (caught up)."""
    delivered_at = {r: first_delivery_at(r, evidence, sink) for r in sink.committed}
    rows = []
    for fault in injected:
        later = [
            at
            for report, acked in sink.committed.items()
            if acked >= fault.started and (at := delivered_at[report]) is not None
        ]
        earlier = [delivered_at[report] for report, acked in sink.committed.items() if acked < fault.ended]
        flowing = min(later) - fault.started if later else None
        caught_up = (
            max(at for at in earlier if at is not None) - fault.started
            if earlier and all(at is not None for at in earlier)
            else None
        )
        rows.append(
            {
                **fault.as_dict(origin),
                "took_s": round(fault.ended - fault.started, 2),
                "flowing_again_s": round(flowing, 2) if flowing is not None else None,
                "caught_up_s": round(max(caught_up, 0.0), 2) if caught_up is not None else None,
            }
        )
    return rows


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))


def markdown(results: dict) -> str:
    v = results["verdict"]
    lost = sum(v["lost"].values())
    duplicated = sum(v["duplicated"].values())
    dead = sum(results["dead_letters"].values())
    lines = [
        f"**{results['label']}**: {v['offered']} reports offered at {results['settings']['rate']}/s "
        f"({results['settings']['replicas']} replica(s) of each service, "
        f"{len(results['brokers'])} RabbitMQ node(s)), {len(results['faults'])} faults, "
        f"{results['wall_seconds']} s in all; verdict **{'PASS' if results['ok'] else 'FAIL'}**",
        "",
        "| acknowledged | exactly once | lost (report / case / assigned / notice) "
        "| duplicated effects (report / case / assigned / notice) | dead letters | webhook calls repeated "
        "| recovered without a person |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {v['acknowledged']} | {v['exactly_once']} | {lost} ({' / '.join(str(n) for n in v['lost'].values())}) "
        f"| {duplicated} ({' / '.join(str(n) for n in v['duplicated'].values())}) | {dead} "
        f"| {v['webhook_calls_repeated']} | {'yes' if results['recovered'] else 'no'} |",
        "",
        "| fault | at s | took s | flowing again after s | caught up after s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fault in results["faults"]:
        lines.append(
            f"| {fault['label']} | {fault['started_s']} | {fault['took_s']} "
            f"| {_figure(fault['flowing_again_s'])} | {_figure(fault['caught_up_s'])} |"
        )
    if results["violations"]:
        lines += ["", "Violations:", *(f"- {violation}" for violation in results["violations"])]
    return "\n".join(lines)


def _figure(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}"


def plot(results: dict, sink: Tracker, origin: float, path: Path) -> None:
    """Acknowledged and delivered reports per second, with each fault as a shaded band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    acked = [at - origin for at in sink.committed.values()]
    delivered = sorted(
        {delivery: at - origin for events in sink.deliveries.values() for delivery, at in events}.values()
    )
    end = max([*acked, *delivered, 1.0])
    bins = list(range(0, int(end) + 2))
    figure, axes = plt.subplots(figsize=(12, 4.5))
    axes.hist(acked, bins=bins, histtype="step", label="acknowledged reports/s", color="tab:blue")
    axes.hist(delivered, bins=bins, histtype="step", label="notices delivered/s", color="tab:green")
    top = axes.get_ylim()[1]
    for n, fault in enumerate(results["faults"]):
        start = fault["started_s"]
        axes.axvspan(start, start + max(fault["took_s"], 0.3), color="tab:red", alpha=0.2)
        axes.text(start, top * (0.95 - 0.06 * (n % 4)), fault["label"], fontsize=7, color="darkred")
    axes.set_xlabel("seconds since the load started")
    axes.set_ylabel("per second")
    axes.set_title(f"{results['label']}: throughput and faults")
    axes.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
