"""Server-rendered SVG charts (no JavaScript, CSP-safe: presentation attributes only).

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``; pages always print the same numbers as a table next to it (the text
alternative, WCAG 1.1.1 / 1.4.5). Colours meet 3:1 against white (WCAG 1.4.11).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BAR = "#0b4f8a"
INK = "#1b1f24"
GRID = "#6b7785"
_ids = itertools.count(1)


def _fmt(value: float | int | Decimal, unit: str) -> str:
    if unit == "rupiah":
        v = float(value)
        if v >= 1e12:
            return f"Rp {v / 1e12:.1f} T"
        if v >= 1e9:
            return f"Rp {v / 1e9:.1f} M"
        if v >= 1e6:
            return f"Rp {v / 1e6:.0f} jt"
        return f"Rp {int(v):,}".replace(",", ".")
    if isinstance(value, Decimal | float):
        return f"{float(value):.2f}"
    return f"{int(value):,}".replace(",", ".")


def bar_chart(items: Sequence[tuple[str, float | int]], *, title: str, desc: str, unit: str = "",
              width: int = 720) -> SafeString:
    """A horizontal bar chart: one labelled bar per ``(label, value)``, value printed at the end."""
    uid = f"chart{next(_ids)}"
    row, label_w, pad = 26, 300, 8
    height = max(1, len(items)) * row + 2 * pad
    top = max((float(v) for _, v in items), default=0.0) or 1.0
    bar_space = width - label_w - 110
    parts = [format_html(
        '<svg class="spbe-chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>', uid, width, height, title, desc)]
    for i, (label, value) in enumerate(items):
        y = pad + i * row
        length = max(1.0, float(value) / top * bar_space) if float(value) > 0 else 0.0
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(format_html(
            '<g><text x="{0}" y="{1}" text-anchor="end" font-size="13" fill="{2}">{3}</text>'
            '<rect x="{4}" y="{5}" width="{6}" height="{7}" fill="{8}"></rect>'
            '<text x="{9}" y="{1}" font-size="13" fill="{2}">{10}</text></g>',
            label_w - 6, y + 17, INK, short, label_w, y + 4, f"{length:.1f}", row - 8, BAR,
            f"{label_w + length + 6:.1f}", _fmt(value, unit)))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part built with format_html


def line_chart(points: Sequence[tuple[str, Decimal | float | None]], *, title: str, desc: str,
               y_min: float = 1.0, y_max: float = 5.0, width: int = 640, height: int = 240) -> SafeString:
    """A line chart of ``(x label, value)`` on a fixed y-axis (SPBE index 1–5), with points labelled."""
    uid = f"chart{next(_ids)}"
    left, right, top, bottom = 44, 20, 16, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points) - 1)

    def y_of(v: float) -> float:
        return top + plot_h - (v - y_min) / (y_max - y_min) * plot_h

    parts = [format_html(
        '<svg class="spbe-chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>',
        uid, width, height, title, desc)]
    for tick in range(int(y_min), int(y_max) + 1):
        y = y_of(tick)
        parts.append(format_html(
            '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}" stroke-width="0.5"></line>'
            '<text x="{4}" y="{5}" font-size="12" text-anchor="end" fill="{6}">{7}</text>',
            left, width - right, f"{y:.1f}", GRID, left - 6, f"{y + 4:.1f}", INK, tick))
    coords = []
    for i, (label, value) in enumerate(points):
        inset = 28  # keeps the first and last point labels clear of the axis labels
        x = left + inset + ((plot_w - 2 * inset) * i / n if len(points) > 1 else (plot_w - 2 * inset) / 2)
        parts.append(format_html('<text x="{0}" y="{1}" font-size="12" text-anchor="middle" fill="{2}">{3}</text>',
                                 f"{x:.1f}", height - 10, INK, label))
        if value is not None:
            coords.append((x, y_of(float(value)), value))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
        parts.append(format_html('<polyline points="{0}" fill="none" stroke="{1}" stroke-width="2.5"></polyline>',
                                 path, BAR))
    for x, y, value in coords:
        parts.append(format_html(
            '<circle cx="{0}" cy="{1}" r="4" fill="{2}"></circle>'
            '<text x="{0}" y="{3}" font-size="12" text-anchor="middle" fill="{4}">{5}</text>',
            f"{x:.1f}", f"{y:.1f}", BAR, f"{y - 9:.1f}", INK, f"{float(value):.2f}"))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part built with format_html

