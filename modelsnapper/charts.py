"""Small server-rendered SVG charts: a daily trend as bars or a line, no script, no vendored library.

A chart is drawn from (label, value) points. It is an image with a ``<title>`` (and each bar or
point carries its own ``<title>``, read out and shown on hover), and pages put the same numbers
in a table beside it, so nothing depends on seeing the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 600, 160, 4


def _scale(values: Sequence[float]) -> float:
    peak = max((float(v) for v in values if v is not None), default=0.0)
    return (HEIGHT - 2 * PAD) / peak if peak > 0 else 0.0


def _frame(title: str, body: str, kind: str) -> SafeString:
    return format_html(
        '<svg class="chart chart-{}" viewBox="0 0 {} {}" role="img" preserveAspectRatio="none" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        kind,
        WIDTH,
        HEIGHT,
        title,
        mark_safe(body),  # built below from escaped labels and numbers only
    )


def bar_chart(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """One bar per point, left to right."""
    if not points:
        return _frame(title, "", "bar")
    scale = _scale([value for _, value in points])
    step = (WIDTH - 2 * PAD) / len(points)
    bars = []
    for index, (label, value) in enumerate(points):
        height = round(float(value) * scale, 2)  # geometry only; labels keep the exact value
        x = round(PAD + index * step + step * 0.1, 2)
        bars.append(
            f'<rect x="{x}" y="{round(HEIGHT - PAD - height, 2)}" width="{round(step * 0.8, 2)}" '
            f'height="{height}" data-value="{escape(value)}"><title>{escape(label)}: {escape(value)}</title></rect>'
        )
    return _frame(title, "".join(bars), "bar")


def line_chart(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """A polyline through the points, with a dot (and its value) at each."""
    if not points:
        return _frame(title, "", "line")
    scale = _scale([value for _, value in points])
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    coords = [
        (round(PAD + index * step, 2), round(HEIGHT - PAD - float(value) * scale, 2))
        for index, (_, value) in enumerate(points)
    ]
    line = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="3" data-value="{escape(value)}"><title>{escape(label)}: {escape(value)}</title></circle>'
        for (x, y), (label, value) in zip(coords, points, strict=True)
    )
    return _frame(
        title, f'<polyline fill="none" stroke="currentColor" stroke-width="2" points="{line}"/>{dots}', "line"
    )
