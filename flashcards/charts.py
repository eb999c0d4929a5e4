"""Server-rendered SVG charts: plain functions from data to safe markup.

Every chart is an accessible `<svg role="img">` with a `<title>` and a one-sentence `<desc>`,
and every data mark carries its own `<title>` with the exact value. Colour comes only from CSS
classes (no `style=` attributes, so a strict Content-Security-Policy holds) and all text goes
through `format_html`, so labels are always escaped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from datetime import date, timedelta

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = {0: "Mon", 2: "Wed", 4: "Fri"}
_ids = itertools.count(1)

# Heatmap geometry, in viewBox units.
_CELL, _STEP = 10, 12
_HEAT_LEFT, _HEAT_TOP, _HEAT_RIGHT = 28, 16, 10

# Bar charts use a 360-unit-wide viewBox, which a phone shrinks to the width of its screen; the
# stylesheet enlarges chart text on narrow screens so it stays at least 12 px. Six x labels fit
# side by side at that size ("30 Nov" is about 50 units wide), so no more are drawn.
_WIDTH = 360
_BAR_HEIGHT, _BAR_SIDE, _BAR_TOP, _BAR_BOTTOM = 184, 8, 18, 24
_MAX_X_LABELS = 6

# Paired (calibration) chart: label column, then a 0-100 scale, then room for value text; each
# row's two lines of text sit 18 units apart so they do not touch at the phone text size.
_PAIR_X0, _PAIR_SCALE, _PAIR_ROW = 76, 190, 44


def heatmap(
    counts: dict[date, int], *, end: date, days: int = 365, title: str = "Reviews per day"
) -> SafeString:
    """Render a GitHub-style calendar of the `days` days ending at `end`, one column per week.

    Rows run Monday to Sunday and the last column holds `end`. Each day is a
    `<rect class="heat heat-N">`: N is 0 for no reviews, otherwise ceil(4 * count / max) over
    the days shown, so 1-4 are quarter steps of the busiest day. The scale is relative so that
    a light and a heavy learner both see contrast.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    span = [end - timedelta(days=days - 1 - i) for i in range(days)]
    values = [max(counts.get(day, 0), 0) for day in span]
    peak = max(values)
    first_monday = span[0] - timedelta(days=span[0].weekday())
    weeks = (end - first_monday).days // 7 + 1
    body = [*_weekday_labels(), *_month_labels(span, first_monday)]
    for day, count in zip(span, values, strict=True):
        x = _HEAT_LEFT + (day - first_monday).days // 7 * _STEP
        y = _HEAT_TOP + day.weekday() * _STEP
        css = f"heat heat-{_bucket(count, peak)}"
        body.append(
            _rect(x, y, _CELL, _CELL, css, f"{day.isoformat()}: {_plural(count, 'review')}")
        )
    width = _HEAT_LEFT + weeks * _STEP + _HEAT_RIGHT
    return _svg("heatmap", width, _HEAT_TOP + 7 * _STEP, title, _heatmap_desc(span, values), body)


def bar_chart(
    points: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    highlight: set[int] | None = None,
    value_format: str = "{:g}",
) -> SafeString:
    """Render one vertical bar per (label, value), scaled to the largest value.

    `unit` is appended verbatim (pass " reviews" for a spaced word, "%" for a sign). Negative
    values draw as zero-height bars; bars whose index is in `highlight` get an extra class.
    """
    highlight = highlight or set()
    peak = max((value for _, value in points), default=0)
    baseline = _BAR_HEIGHT - _BAR_BOTTOM
    plot_height = baseline - _BAR_TOP
    slot = (_WIDTH - 2 * _BAR_SIDE) / max(len(points), 1)
    top = baseline - (plot_height if peak > 0 else 0)
    body = [
        _line(_BAR_SIDE, baseline, _WIDTH - _BAR_SIDE, baseline, "chart-axis"),
        _line(_BAR_SIDE, top, _WIDTH - _BAR_SIDE, top, "chart-grid"),
        _text(_BAR_SIDE, top - 3, f"{value_format.format(peak)}{unit}"),
    ]
    for i, (label, value) in enumerate(points):
        height = plot_height * max(value, 0) / peak if peak > 0 else 0
        css = "chart-bar chart-bar-highlight" if i in highlight else "chart-bar"
        x = _BAR_SIDE + (i + 0.1) * slot
        tip = f"{label}: {value_format.format(value)}{unit}"
        body.append(_rect(x, baseline - height, slot * 0.8, height, css, tip))
    shown = _label_indices(len(points))
    for i in shown:
        # The end labels align with the plot's edges so they are never cut off.
        if i == 0 and len(shown) > 1:
            x, anchor = _BAR_SIDE, "start"
        elif i == len(points) - 1 and len(shown) > 1:
            x, anchor = _WIDTH - _BAR_SIDE, "end"
        else:
            x, anchor = _BAR_SIDE + (i + 0.5) * slot, "middle"
        body.append(_text(x, _BAR_HEIGHT - 6, points[i][0], anchor=anchor))
    desc = _bar_desc(points, unit, value_format, highlight)
    return _svg("bars", _WIDTH, _BAR_HEIGHT, title, desc, body)


def paired_bar_chart(
    rows: list[tuple[str, float | None, float]], *, title: str, unit: str = "%"
) -> SafeString:
    """Render an actual bar over an ideal bar per (label, actual, ideal) row, on a 0-100 scale.

    `actual` is None when there is no data yet: the row then draws only its ideal bar.
    """
    height = max(len(rows), 1) * _PAIR_ROW + 4
    body = [_line(_PAIR_X0, 2, _PAIR_X0, height - 2, "chart-axis")]
    for i, (label, actual, ideal) in enumerate(rows):
        body.extend(_pair_row(4 + i * _PAIR_ROW, label, actual, ideal, unit))
    desc = f"{'; '.join(_pair_summary(row, unit) for row in rows)}." if rows else "No data."
    return _svg("paired", _WIDTH, height, title, desc, body)


def _pair_row(y: float, label: str, actual: float | None, ideal: float, unit: str) -> list[str]:
    """Return the label, actual bar (or "no data yet" note) and ideal bar of one row."""
    summary = _pair_summary((label, actual, ideal), unit)
    parts = [_text(0, y + 20, label)]
    if actual is None:
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}"><title>{}</title>no data yet</text>',
                _PAIR_X0 + 4,
                y + 13,
                summary,
            )
        )
    else:
        width = _scale(actual)
        parts.append(_rect(_PAIR_X0, y, width, 14, "chart-bar", summary))
        parts.append(_text(_PAIR_X0 + width + 4, y + 13, f"{_pct(actual)}{unit}", "chart-value"))
    ideal_tip = f"{label}: ideal {_pct(ideal)}{unit}"
    ideal_width = _scale(ideal)
    parts.append(_rect(_PAIR_X0, y + 21, ideal_width, 9, "chart-bar chart-bar-ideal", ideal_tip))
    parts.append(
        _text(_PAIR_X0 + ideal_width + 4, y + 31, f"ideal {_pct(ideal)}{unit}", "chart-value")
    )
    return parts


def _pair_summary(row: tuple[str, float | None, float], unit: str) -> str:
    """Describe one calibration row, e.g. "Low: 71% remembered (ideal 70%)"."""
    label, actual, ideal = row
    measured = "no data yet" if actual is None else f"{_pct(actual)}{unit} remembered"
    return f"{label}: {measured} (ideal {_pct(ideal)}{unit})"


def _scale(percent: float) -> float:
    """Map a 0-100 value (clamped) to a bar width."""
    return _PAIR_SCALE * min(max(percent, 0), 100) / 100


def _pct(value: float) -> str:
    """Format a percentage to at most one decimal: 71.0 -> "71", 70.55 -> "70.5"."""
    return f"{round(value, 1):g}"


def _bucket(count: int, peak: int) -> int:
    """Return the heat class 0-4 for a day's count, relative to the busiest day."""
    return 0 if count <= 0 else min(4, math.ceil(4 * count / peak))


def _plural(n: int, word: str) -> str:
    """Return "1 review" or "N reviews"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _heatmap_desc(span: list[date], values: list[int]) -> str:
    """Summarise the calendar in one sentence; ties for the busiest day go to the earliest."""
    period = f"the {_plural(len(span), 'day')} from {span[0]} to {span[-1]}"
    total = sum(values)
    if not total:
        return f"No reviews in {period}."
    active = sum(1 for value in values if value)
    busiest = max(range(len(values)), key=values.__getitem__)
    return (
        f"{_plural(total, 'review')} on {active} of {period}; "
        f"busiest day {span[busiest]} with {_plural(values[busiest], 'review')}."
    )


def _bar_desc(
    points: list[tuple[str, float]], unit: str, value_format: str, highlight: set[int]
) -> str:
    """Summarise the bars in one sentence: range of labels, highest and lowest values."""
    if not points:
        return "No data."
    high = max(points, key=lambda point: point[1])
    low = min(points, key=lambda point: point[1])
    desc = (
        f"{_plural(len(points), 'value')} from {points[0][0]} to {points[-1][0]}; "
        f"highest {high[0]} ({value_format.format(high[1])}{unit}), "
        f"lowest {low[0]} ({value_format.format(low[1])}{unit})"
    )
    marked = sum(1 for i in highlight if 0 <= i < len(points))
    return f"{desc}; {marked} highlighted." if marked else f"{desc}."


def _label_indices(n: int) -> list[int]:
    """Pick the x labels to show: every k-th, at most 12, always the first and the last.

    A multiple of k closer than k to the last index is dropped so labels never crowd.
    """
    if n <= _MAX_X_LABELS:
        return list(range(n))
    k = math.ceil((n - 1) / (_MAX_X_LABELS - 1))
    return [*range(0, n - k, k), n - 1]


def _month_labels(span: list[date], first_monday: date) -> list[str]:
    """Label each month above the column holding its first day."""
    return [
        _text(
            _HEAT_LEFT + (day - first_monday).days // 7 * _STEP,
            _HEAT_TOP - 5,
            _MONTHS[day.month - 1],
        )
        for day in span
        if day.day == 1
    ]


def _weekday_labels() -> list[str]:
    """Label every other row (Mon, Wed, Fri), as GitHub does, to leave room between them."""
    return [
        _text(_HEAT_LEFT - 4, _HEAT_TOP + row * _STEP + 9, name, anchor="end")
        for row, name in _WEEKDAYS.items()
    ]


def _svg(
    kind: str, width: float, height: float, title: str, desc: str, body: Iterable[str]
) -> SafeString:
    """Wrap chart marks in an accessible, fluid-width `<svg>` with a unique title and desc id."""
    uid = f"chart-{next(_ids)}"
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        'width="100%" viewBox="0 0 {width} {height}" font-size="10" '
        'aria-labelledby="{uid}-title {uid}-desc">'
        '<title id="{uid}-title">{title}</title><desc id="{uid}-desc">{desc}</desc>',
        kind=kind,
        width=_num(width),
        height=_num(height),
        uid=uid,
        title=title,
        desc=desc,
    )
    return _join([head, *body, mark_safe("</svg>")])


def _rect(x: float, y: float, width: float, height: float, css: str, tip: str) -> SafeString:
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        css,
        _num(x),
        _num(y),
        _num(width),
        _num(height),
        tip,
    )


def _text(
    x: float, y: float, text: str, css: str = "chart-label", anchor: str = "start"
) -> SafeString:
    return format_html(
        '<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>',
        css,
        _num(x),
        _num(y),
        anchor,
        text,
    )


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> SafeString:
    return format_html(
        '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        css,
        _num(x1),
        _num(y1),
        _num(x2),
        _num(y2),
    )


def _num(value: float) -> str:
    """Format a coordinate compactly, to two decimals at most."""
    return f"{round(value, 2):g}"


def _join(parts: Iterable[str]) -> SafeString:
    """Concatenate markup; conditional_escape escapes any part that is not already safe."""
    return mark_safe("".join(conditional_escape(part) for part in parts))
