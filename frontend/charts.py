"""Charts without script or CDN, printable. Each chart is one image for screen readers (its
title); the page shows the same numbers in a table next to it.

Bars are rows of text with a bar under or beside the label, so their labels are the page's own
text at the page's size on a phone as on a desktop; columns over time are an SVG at its natural
size, in a box of its own that scrolls sideways when a phone is narrower (the page never does)."""
from __future__ import annotations

from markupsafe import Markup, escape

COLUMN, GAP, PLOT_HEIGHT = 40, 16, 180


def bars(rows: list[tuple[str, int]], title: str, empty: str = "Inga avvikelser") -> Markup:
    """Horizontal bars, one per label (municipality, category, organisation)."""
    top = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<div class="bars__row"><span class="bars__label">{escape(label)}</span>'
        f'<svg class="bars__track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect class="chart__bar" width="{max(round(100 * value / top, 1), 0.5)}" height="10"/></svg>'
        f'<span class="bars__value">{value}</span></div>'
        for label, value in rows
    ]
    body = "".join(parts) if rows else f'<p class="bars__empty">{escape(empty)}</p>'
    return Markup(f'<div class="chart bars" role="img" aria-label="{escape(title)}">{body}</div>')


def _value_text(x: float, y: float, value: int | str) -> str:
    """The figure over a column; a figure given as words (a count not shown, "färre än 5") on
    two lines above an empty column, so it fits the column's width."""
    if isinstance(value, int):
        return f'<text class="chart__value" x="{x}" y="{y}" text-anchor="middle">{value}</text>'
    first, _, rest = str(value).partition(" ")
    return (f'<text class="chart__value chart__value--words" x="{x}" y="{y - 12}" text-anchor="middle">'
            f'<tspan x="{x}">{escape(first)}</tspan><tspan x="{x}" dy="12">{escape(rest)}</tspan></text>')


def columns(rows: list[tuple[str, int | str]], title: str, empty: str = "Inga avvikelser") -> Markup:
    """Vertical columns over time (month, quarter or year): the trend. A value in words (a
    suppressed count) has no column, only its words."""
    top = max((value for _, value in rows if isinstance(value, int)), default=0) or 1
    width = max(len(rows), 1) * (COLUMN + GAP) + 40
    height = PLOT_HEIGHT + 60
    base = PLOT_HEIGHT + 20
    parts = [f'<line class="chart__axis" x1="20" y1="{base}" x2="{width - 10}" y2="{base}"/>']
    for index, (label, value) in enumerate(rows):
        x = 28 + index * (COLUMN + GAP)
        bar = round(PLOT_HEIGHT * value / top) if isinstance(value, int) else 0
        parts.append(
            f'<rect class="chart__bar" x="{x}" y="{base - bar}" width="{COLUMN}" height="{max(bar, 1)}"/>'
            + _value_text(x + COLUMN / 2, base - 6 - bar, value) +
            f'<text class="chart__tick" x="{x + COLUMN / 2}" y="{base + 18}" text-anchor="middle">{escape(label)}</text>'
        )
    if not rows:
        parts.append(f'<text class="chart__tick" x="24" y="40">{escape(empty)}</text>')
    svg = (f'<svg class="chart chart--columns" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(parts) + "</svg>")
    # Keyboard users can scroll the box too (it is focusable, and named like the chart).
    return Markup(f'<div class="chart-scroll" tabindex="0" role="group" aria-label="{escape(title)}">{svg}</div>')
