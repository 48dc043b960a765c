"""``{% bar_chart rows "day" "count" "Generations per day" %}`` and ``{% line_chart … %}``: SVG trends."""

from django import template
from django.utils.formats import date_format

from modelsnapper import charts

register = template.Library()


def _points(rows, label_key: str, value_key: str) -> list[tuple[str, float]]:
    points = []
    for row in rows:
        label = row[label_key]
        # A day in the reader's language ("December 1", "1 de diciembre"), not a fixed English pattern.
        day = date_format(label, "MONTH_DAY_FORMAT") if hasattr(label, "year") else str(label)
        points.append((day, row[value_key]))
    return points


@register.simple_tag
def bar_chart(rows, label_key: str, value_key: str, title: str):
    return charts.bar_chart(_points(rows, label_key, value_key), title=title)


@register.simple_tag
def line_chart(rows, label_key: str, value_key: str, title: str):
    return charts.line_chart(_points(rows, label_key, value_key), title=title)
