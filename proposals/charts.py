"""Server-side inline SVG bar charts: no JavaScript, no external files, readable at any width.

The SVG scales with its container (viewBox, width 100%); every bar carries a <title> (a tooltip and a label
for screen readers) and the pages also show the numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
LABEL_WIDTH = 128
VALUE_WIDTH = 36
ROW_HEIGHT = 26
BAR_HEIGHT = 18
PALETTE = ["#b0302c", "#2c5f8a", "#d08a1e", "#3d8a5a", "#7a4f9a", "#5a6b78", "#c0587a", "#1f8a8a"]


@dataclass
class Bar:
    label: str
    value: int
    href: str | None = None
    parts: list[int] = field(default_factory=list)  # stacked: one value per series


def _scale(bars: list[Bar]) -> float:
    top = max((max(b.value, sum(b.parts)) for b in bars), default=0)
    return (WIDTH - LABEL_WIDTH - VALUE_WIDTH - 8) / top if top else 0


def _label(bar: Bar, y: float) -> str:
    text = escape(bar.label if len(bar.label) <= 8 else f"{bar.label[:7]}…")
    label = f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" class="chart-label">{text}</text>'
    if bar.href:
        label = f'<a href="{escape(bar.href)}">{label}</a>'
    return label


def _frame(body: list[str], height: int, title: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(bars: list[Bar], *, title: str, color: str = PALETTE[0]) -> SafeString:
    """One horizontal bar per row, longest = the largest value."""
    scale = _scale(bars)
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        width = max(bar.value * scale, 1 if bar.value else 0)
        body.append(_label(bar, y))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{color}">'
            f"<title>{escape(bar.label)}：{bar.value}</title></rect>"
        )
        body.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR_HEIGHT - 4}" class="chart-value">{bar.value}</text>'
        )
    return _frame(body, 8 + len(bars) * ROW_HEIGHT, title)


def stacked_bar_chart(bars: list[Bar], series: list[str], *, title: str) -> SafeString:
    """One horizontal bar per row, split into one coloured part per series, with a legend below."""
    scale = _scale(bars)
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        body.append(_label(bar, y))
        x = float(LABEL_WIDTH)
        for j, part in enumerate(bar.parts):
            if not part:
                continue
            width = part * scale
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(bar.label)} · {escape(series[j])}：{part}</title></rect>'
            )
            x += width
        body.append(f'<text x="{x + 6:.1f}" y="{y + BAR_HEIGHT - 4}" class="chart-value">{bar.value}</text>')
    legend_y = 12 + len(bars) * ROW_HEIGHT
    per_row = 3
    for j, name in enumerate(series):
        lx = 8 + (j % per_row) * (WIDTH // per_row)
        ly = legend_y + (j // per_row) * 22
        body.append(f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="{PALETTE[j % len(PALETTE)]}"/>')
        body.append(f'<text x="{lx + 20}" y="{ly + 12}" class="chart-legend">{escape(name)}</text>')
    height = legend_y + ((len(series) + per_row - 1) // per_row) * 22 + 4
    return _frame(body, height, title)
