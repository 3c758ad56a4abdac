"""Server-side inline SVG bar charts: no JavaScript, no external files, readable at any width.

The SVG is drawn at its natural size (WIDTH CSS pixels, so labels are 14 px) and shrinks only on a screen
narrower than that (a phone: about 13 px). A chart is one image (role="img" with a label): it holds no links,
which would be interactive elements nested in an image; every page shows the numbers as a table beside it,
with the links. Bars come in the order given (the views sort them, largest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
LABEL_WIDTH = 128
VALUE_WIDTH = 36
ROW_HEIGHT = 26
BAR_HEIGHT = 18
PALETTE = ["#b0302c", "#2c5f8a", "#d08a1e", "#3d8a5a", "#7a4f9a", "#5a6b78", "#c0587a", "#1f8a8a"]


@dataclass
class Bar:
    label: str
    value: int
    href: str | None = None  # unused in the image (see the module docstring); the table carries the link
    parts: list[int] = field(default_factory=list)  # stacked: one value per series


def _scale(bars: list[Bar]) -> float:
    top = max((max(b.value, sum(b.parts)) for b in bars), default=0)
    return (WIDTH - LABEL_WIDTH - VALUE_WIDTH - 8) / top if top else 0


def _label(bar: Bar, y: float) -> str:
    text = escape(bar.label if len(bar.label) <= 8 else f"{bar.label[:7]}…")
    return f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" class="chart-label">{text}</text>'


def _frame(body: list[str], height: int, title: str, width: int = WIDTH) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
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


COLUMN_WIDTH = 40
AXIS_HEIGHT = 22
PLOT_HEIGHT = 140


def column_chart(bars: list[Bar], *, title: str, color: str = PALETTE[1]) -> SafeString:
    """One vertical column per bar (years, left to right) over a labelled horizontal axis, with the value on
    top of each column."""
    left = 8
    width = max(WIDTH // 2, left * 2 + len(bars) * COLUMN_WIDTH)
    top = max((b.value for b in bars), default=0)
    scale = (PLOT_HEIGHT - 18) / top if top else 0
    base = 8 + PLOT_HEIGHT
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#5c6670" class="chart-axis"/>'
    ]
    for i, bar in enumerate(bars):
        x = left + i * COLUMN_WIDTH + 6
        height = max(bar.value * scale, 1 if bar.value else 0)
        center = x + (COLUMN_WIDTH - 12) / 2
        body.append(
            f'<rect x="{x}" y="{base - height:.1f}" width="{COLUMN_WIDTH - 12}" height="{height:.1f}" '
            f'fill="{color}"><title>{escape(bar.label)}：{bar.value}</title></rect>'
        )
        body.append(
            f'<text x="{center:.1f}" y="{base - height - 4:.1f}" text-anchor="middle" class="chart-value">'
            f"{bar.value}</text>"
        )
        body.append(
            f'<text x="{center:.1f}" y="{base + AXIS_HEIGHT - 6}" text-anchor="middle" class="chart-label">'
            f"{escape(bar.label)}</text>"
        )
    return _frame(body, base + AXIS_HEIGHT, title, width)
