"""Charts as server-rendered SVG: no script, no CDN, printable. Each chart has a title and
a description for screen readers; the page shows the same numbers in a table next to it."""
from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 26
LABEL_WIDTH = 300
PLOT_WIDTH = 340


def bars(rows: list[tuple[str, int]], title: str, empty: str = "Inga avvikelser") -> Markup:
    """Horizontal bars, one per label (municipality, category, organisation)."""
    top = max((value for _, value in rows), default=0) or 1
    height = BAR_HEIGHT * max(len(rows), 1) + 8
    width = LABEL_WIDTH + PLOT_WIDTH + 50
    parts = []
    for index, (label, value) in enumerate(rows):
        y = index * BAR_HEIGHT + 4
        length = round(PLOT_WIDTH * value / top)
        parts.append(
            f'<text class="chart__label" x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart__bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{max(length, 1)}" height="{BAR_HEIGHT - 8}"/>'
            f'<text class="chart__value" x="{LABEL_WIDTH + length + 6}" y="{y + 17}">{value}</text>'
        )
    return _svg(width, height, title, parts, None if rows else (8, 20, empty))


def columns(rows: list[tuple[str, int]], title: str, empty: str = "Inga avvikelser") -> Markup:
    """Vertical columns over time (month, quarter or year): the trend."""
    top = max((value for _, value in rows), default=0) or 1
    column, gap, plot_height = 34, 10, 180
    width = max(len(rows), 1) * (column + gap) + 40
    height = plot_height + 60
    parts = [f'<line class="chart__axis" x1="20" y1="{plot_height + 20}" x2="{width - 10}" y2="{plot_height + 20}"/>']
    for index, (label, value) in enumerate(rows):
        x = 24 + index * (column + gap)
        bar = round(plot_height * value / top)
        parts.append(
            f'<rect class="chart__bar" x="{x}" y="{plot_height + 20 - bar}" width="{column}" height="{max(bar, 1)}"/>'
            f'<text class="chart__value" x="{x + column / 2}" y="{plot_height + 14 - bar}" text-anchor="middle">{value}</text>'
            f'<text class="chart__tick" x="{x + column / 2}" y="{plot_height + 36}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(width, height, title, parts, None if rows else (24, 40, empty))


def _svg(width: int, height: int, title: str, parts: list[str], empty: tuple[int, int, str] | None) -> Markup:
    """The frame of every chart: its size, its name for screen readers, and a note at (x, y)
    when there is nothing to draw."""
    note = f'<text class="chart__label" x="{empty[0]}" y="{empty[1]}">{escape(empty[2])}</text>' if empty else ""
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(parts) + note + "</svg>"
    )
