"""Simple charts drawn on the server as SVG: horizontal bars, one per figure, no chart library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
ROW = 26
LABEL_WIDTH = 200
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False


def _figure(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(title: str, bars: Sequence[Bar], *, chart_id: str) -> Markup:
    """An accessible SVG (a title and a description listing every figure) with one bar per figure."""
    top = max((bar.value for bar in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW * max(len(bars), 1) + 8
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        length = max(span * bar.value / top, 1 if bar.value else 0)
        kind = "bar highlight" if bar.highlight else "bar"
        rows.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="{kind}" x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" rx="3"/>'
            f'<text class="value" x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 17}">{_figure(bar.value)}</text>'
        )
    description = "; ".join(f"{bar.label}: {_figure(bar.value)}" for bar in bars)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{"".join(rows)}</svg>'
    )
