"""The benchmark's outputs: the JSON with every figure, a Markdown table, and latency against offered load."""

from __future__ import annotations

import json
from pathlib import Path


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))


def markdown(results: dict) -> str:
    ceiling = results["ceiling"]
    headline = results["headline"]
    lines = [
        f"Ceiling (aio-pika relay, quorum, persistent, confirms, {ceiling['body_size']} B): "
        f"**{ceiling['throughput']:.0f} msg/s**, p50 {ceiling['latency_ms']['p50']:.1f} ms, "
        f"p99 {ceiling['latency_ms']['p99']:.1f} ms",
        f"Pipeline at saturation (report → assigned → webhook delivered): "
        f"**{headline['pipeline_throughput']:.0f} reports/s** ({headline['feed']}), "
        f"ratio pipeline/ceiling **{headline['ratio']:.2f}**",
        "Broker CPU: "
        f"{ceiling['broker_cpu_ms_per_message']:.2f} ms per message through the ceiling's relay; per report "
        "through the pipeline at saturation: "
        + ", ".join(
            f"{ms:.2f} ms ({feed})" for feed, ms in results["broker_cpu_ms_per_report_at_saturation"].items()
        ),
        "",
        "| phase | offered/s | achieved/s | assigned/s | delivered/s | → assigned p50 / p95 / p99 ms "
        "| → delivered p50 / p95 / p99 ms | correct |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for phase in results["phases"]:
        a, d = phase["latency_to_assigned_ms"], phase["latency_to_delivered_ms"]
        offered = "max" if phase["offered_rate"] is None else f"{phase['offered_rate']:g}"
        c = phase["correctness"]
        verdict = (
            "yes"
            if c["ok"]
            else (
                f"NO ({c['assigned_once']}/{c['offered']} assigned once, {c['notified_once']} notified once)"
            )
        )
        lines.append(
            f"| {phase['label']} | {offered} | {phase['achieved_offered_rate']:.0f} | {phase['throughput_assigned']:.0f} "
            f"| {phase['throughput_delivered']:.0f} | {a['p50']:.0f} / {a['p95']:.0f} / {a['p99']:.0f} "
            f"| {d['p50']:.0f} / {d['p95']:.0f} / {d['p99']:.0f} | {verdict} |"
        )
    resources = results["resources"]
    lines += [
        "",
        "| process | peak RSS MB | CPU s (whole pipeline run) | CPU share |",
        "| --- | --- | --- | --- |",
    ]
    total = sum(resources["cpu_seconds"].values()) or 1.0
    for name, seconds in resources["cpu_seconds"].items():
        rss = resources["peak_rss_mb"].get(name)
        rss_text = f"{rss:.0f}" if rss is not None else "—"
        lines.append(f"| {name} | {rss_text} | {seconds:.1f} | {seconds / total:.0%} |")
    if "history" in results:
        history = results["history"]
        lines += [
            "",
            f"History: {history['reports']} reports, loaded in {history['seconds']['total']:.0f} s "
            f"({history['database_size']})",
            "",
            "| read | p50 ms | p99 ms |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {name} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} |" for name, f in history["reads"].items()
        ]
    return "\n".join(lines)


def offered_label(phase: dict) -> str:
    return "saturation" if phase["offered_rate"] is None else f"{phase['offered_rate']:g}"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=False)
    labels = []  # offered rates in order, then saturation: evenly spaced, whatever the rates
    for phase in sorted(results["phases"], key=lambda p: p["offered_rate"] or float("inf")):
        if offered_label(phase) not in labels:
            labels.append(offered_label(phase))
    for axis, key, title in (
        (axes[0], "latency_to_assigned_ms", "report commit → dispatch.assigned"),
        (axes[1], "latency_to_delivered_ms", "report commit → webhook delivery"),
    ):
        for feed, marker in (("http", "o"), ("outbox", "s")):
            phases = [
                p for p in results["phases"] if p["feed"] == feed and p["latency_to_assigned_ms"]["count"]
            ]
            if not phases:
                continue
            x = [labels.index(offered_label(p)) for p in phases]
            for percentile, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
                axis.plot(
                    x,
                    [p[key][percentile] for p in phases],
                    style,
                    marker=marker,
                    label=f"{feed} {percentile}",
                )
        axis.set_title(title)
        axis.set_xticks(range(len(labels)), labels)
        axis.set_xlabel("offered load, reports/s")
        axis.set_ylabel("latency, ms")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.suptitle(
        f"grassroots hazard pipeline — ceiling {results['ceiling']['throughput']:.0f} msg/s, "
        f"pipeline {results['headline']['pipeline_throughput']:.0f} reports/s "
        f"(ratio {results['headline']['ratio']:.2f})"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
