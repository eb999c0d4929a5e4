"""SVG charts: plain functions from data to safe, accessible, style-free markup."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils.safestring import SafeString

from flashcards.charts import bar_chart, heatmap, paired_bar_chart

SVG = "{http://www.w3.org/2000/svg}"
SUNDAY = date(2026, 11, 29)
HOSTILE = '<script>alert("x")</script> & co'


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def rects(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}rect"))


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def labels(root: ET.Element) -> list[str]:
    return [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "chart-label"]


def all_charts() -> list[str]:
    return [
        heatmap({SUNDAY: 3}, end=SUNDAY),
        bar_chart([("Mon", 1), ("Tue", 2)], title="Due"),
        paired_bar_chart([("Low", 71.0, 70.0), ("High", None, 95.0)], title="Calibration"),
    ]


# --- every chart --------------------------------------------------------------------------


@pytest.mark.parametrize("markup", all_charts())
def test_chart_is_an_accessible_fluid_svg(markup):
    assert isinstance(markup, SafeString)
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root[0].tag == f"{SVG}title" and root[0].get("id") == title_id
    assert root[1].tag == f"{SVG}desc" and root[1].get("id") == desc_id
    assert root[1].text.endswith(".")


@pytest.mark.parametrize("markup", all_charts())
def test_no_style_attributes_scripts_or_external_resources(markup):
    for forbidden in ("style=", "<style", "<script", "href", "http://", "https://"):
        assert forbidden not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("markup", all_charts())
def test_every_data_mark_has_its_own_title(markup):
    assert all(title_of(rect) for rect in rects(parse(markup)))


def test_two_charts_on_one_page_get_distinct_ids():
    first, second = (parse(bar_chart([("a", 1)], title="Same")) for _ in range(2))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


# --- heatmap ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1, 10, 40, 365])
def test_heatmap_draws_one_rect_per_day_ending_at_end(days):
    root = parse(heatmap({}, end=SUNDAY, days=days))
    day_rects = rects(root)
    assert len(day_rects) == days
    start = SUNDAY - timedelta(days=days - 1)
    assert title_of(day_rects[0]).startswith(f"{start.isoformat()}: ")
    assert title_of(day_rects[-1]) == "2026-11-29: 0 reviews"


def test_heatmap_columns_are_weeks_and_rows_run_monday_to_sunday():
    # 14 days ending on Sunday 29 November 2026: exactly two full Monday-first weeks.
    day_rects = rects(parse(heatmap({}, end=SUNDAY, days=14)))
    xs = sorted({float(rect.get("x")) for rect in day_rects})
    ys = sorted({float(rect.get("y")) for rect in day_rects})
    assert len(xs) == 2 and len(ys) == 7
    assert title_of(day_rects[0]).startswith("2026-11-16")  # a Monday: first column, top row
    assert (float(day_rects[0].get("x")), float(day_rects[0].get("y"))) == (xs[0], ys[0])
    assert (float(day_rects[-1].get("x")), float(day_rects[-1].get("y"))) == (xs[-1], ys[-1])


def test_heatmap_buckets_are_quarters_of_the_busiest_day():
    counts = {SUNDAY - timedelta(days=n): c for n, c in enumerate([8, 2, 3, 6, 7, 1, 0])}
    root = parse(heatmap(counts, end=SUNDAY, days=7))
    classes = {title_of(rect).split(":")[0]: rect.get("class") for rect in rects(root)}
    # ceil(4 * count / 8): 8 -> 4, 7 -> 4, 6 -> 3, 3 -> 2, 2 -> 1, 1 -> 1, 0 -> 0.
    assert classes == {
        "2026-11-29": "heat heat-4",
        "2026-11-28": "heat heat-1",
        "2026-11-27": "heat heat-2",
        "2026-11-26": "heat heat-3",
        "2026-11-25": "heat heat-4",
        "2026-11-24": "heat heat-1",
        "2026-11-23": "heat heat-0",
    }


def test_heatmap_ignores_counts_outside_the_window_when_bucketing():
    counts = {SUNDAY: 2, SUNDAY - timedelta(days=30): 100}
    (rect,) = rects(parse(heatmap(counts, end=SUNDAY, days=1)))
    assert rect.get("class") == "heat heat-4"


def test_heatmap_titles_are_singular_and_plural():
    counts = {SUNDAY: 1, SUNDAY - timedelta(days=1): 27}
    titles = [title_of(rect) for rect in rects(parse(heatmap(counts, end=SUNDAY, days=3)))]
    assert titles == ["2026-11-27: 0 reviews", "2026-11-28: 27 reviews", "2026-11-29: 1 review"]


def test_heatmap_labels_a_month_above_the_column_where_it_starts():
    # 40 days from 21 October: only November starts inside the window, on Sunday 1 November,
    # which sits in the second week column.
    root = parse(heatmap({}, end=SUNDAY, days=40))
    month_labels = [label for label in labels(root) if label not in ("Mon", "Wed", "Fri")]
    assert month_labels == ["Nov"]
    nov = next(text for text in root.iter(f"{SVG}text") if text.text == "Nov")
    first = next(rect for rect in rects(root) if title_of(rect).startswith("2026-11-01"))
    assert nov.get("x") == first.get("x")


def test_heatmap_for_a_year_labels_every_month_once():
    root = parse(heatmap({}, end=SUNDAY))
    months = [label for label in labels(root) if label not in ("Mon", "Wed", "Fri")]
    assert months == [
        *("Dec", "Jan", "Feb", "Mar", "Apr", "May"),
        *("Jun", "Jul", "Aug", "Sep", "Oct", "Nov"),
    ]


def test_heatmap_desc_summarises_the_data():
    counts = {date(2026, 10, 3): 27, date(2026, 11, 2): 4, date(2026, 11, 3): 1}
    root = parse(heatmap(counts, end=SUNDAY, title="Reviews per day"))
    assert root[0].text == "Reviews per day"
    assert root[1].text == (
        "32 reviews on 3 of the 365 days from 2025-11-30 to 2026-11-29; "
        "busiest day 2026-10-03 with 27 reviews."
    )


def test_heatmap_desc_without_reviews():
    root = parse(heatmap({}, end=SUNDAY, days=7))
    assert root[1].text == "No reviews in the 7 days from 2026-11-23 to 2026-11-29."
    assert {rect.get("class") for rect in rects(root)} == {"heat heat-0"}


def test_heatmap_rejects_an_empty_window():
    with pytest.raises(ValueError):
        heatmap({}, end=SUNDAY, days=0)


def test_heatmap_escapes_its_title():
    markup = heatmap({}, end=SUNDAY, days=7, title=HOSTILE)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert parse(markup)[0].text == HOSTILE


# --- bar chart ----------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_values():
    root = parse(bar_chart([("a", 10), ("b", 5), ("c", 0), ("d", 2.5)], title="Due"))
    heights = [float(rect.get("height")) for rect in rects(root)]
    assert heights[0] > 0
    assert heights[1] == heights[0] / 2
    assert heights[2] == 0
    assert heights[3] == heights[0] / 4


def test_bars_stand_on_a_common_baseline():
    bars = rects(parse(bar_chart([("a", 10), ("b", 5)], title="Due")))
    bottoms = {float(rect.get("y")) + float(rect.get("height")) for rect in bars}
    assert len(bottoms) == 1


def test_bar_titles_use_value_format_and_unit():
    points = [("Mon", 2.24), ("Tue", 1)]
    bars = rects(parse(bar_chart(points, title="Due", unit=" reviews", value_format="{:.1f}")))
    assert [title_of(bar) for bar in bars] == ["Mon: 2.2 reviews", "Tue: 1.0 reviews"]


def test_bar_chart_shows_the_max_value_as_y_label():
    root = parse(bar_chart([("a", 3), ("b", 12)], title="Due", unit="%"))
    assert "12%" in labels(root)


def test_all_zero_bars_draw_at_zero_height():
    root = parse(bar_chart([("a", 0), ("b", 0), ("c", 0)], title="Due"))
    assert [rect.get("height") for rect in rects(root)] == ["0", "0", "0"]
    assert "0" in labels(root)


def test_empty_bar_chart_still_renders():
    root = parse(bar_chart([], title="Due"))
    assert rects(root) == []
    assert root[1].text == "No data."


def test_highlighted_bars_get_the_highlight_class():
    points = [(str(i), i) for i in range(6)]
    bars = rects(parse(bar_chart(points, title="Due", highlight={1, 4, 99})))
    classes = [bar.get("class") for bar in bars]
    assert classes == [
        "chart-bar",
        "chart-bar chart-bar-highlight",
        "chart-bar",
        "chart-bar",
        "chart-bar chart-bar-highlight",
        "chart-bar",
    ]
    assert "2 highlighted" in parse(bar_chart(points, title="Due", highlight={1, 4}))[1].text


def test_few_points_label_every_bar():
    points = [(f"d{i}", 1) for i in range(6)]
    assert labels(parse(bar_chart(points, title="Due")))[1:] == [p[0] for p in points]


def test_many_points_label_every_kth_bar_first_and_last():
    points = [(f"d{i}", i) for i in range(30)]
    x_labels = labels(parse(bar_chart(points, title="Due")))[1:]  # [0] is the y label
    # k = ceil(29 / 5) = 6; 24 is dropped because it would crowd the last label.
    assert x_labels == ["d0", "d6", "d12", "d18", "d29"]


@pytest.mark.parametrize("n", [7, 13, 23, 24, 30, 90, 365])
def test_x_labels_never_exceed_six(n):
    points = [(f"d{i}", 1) for i in range(n)]
    x_labels = labels(parse(bar_chart(points, title="Due")))[1:]
    assert len(x_labels) <= 6
    assert x_labels[0] == "d0" and x_labels[-1] == f"d{n - 1}"


def test_bar_chart_desc_summarises_the_data():
    root = parse(bar_chart([("Mon", 4), ("Tue", 9), ("Wed", 2)], title="Due", unit=" cards"))
    assert root[1].text == "3 values from Mon to Wed; highest Tue (9 cards), lowest Wed (2 cards)."


def test_bar_chart_escapes_hostile_labels_title_and_unit():
    markup = bar_chart([(HOSTILE, 1)], title=HOSTILE, unit="<b>")
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)  # still well-formed XML
    assert root[0].text == HOSTILE
    assert HOSTILE in root[1].text
    assert title_of(rects(root)[0]) == f"{HOSTILE}: 1<b>"
    assert HOSTILE in labels(root)


# --- paired bar chart ---------------------------------------------------------------------


def test_paired_chart_draws_actual_and_ideal_per_row():
    rows = [("Low", 71.0, 70.0), ("High", 100.0, 90.0)]
    bars = rects(parse(paired_bar_chart(rows, title="Calibration")))
    assert [(bar.get("class"), title_of(bar)) for bar in bars] == [
        ("chart-bar", "Low: 71% remembered (ideal 70%)"),
        ("chart-bar chart-bar-ideal", "Low: ideal 70%"),
        ("chart-bar", "High: 100% remembered (ideal 90%)"),
        ("chart-bar chart-bar-ideal", "High: ideal 90%"),
    ]
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[2] == pytest.approx(100 / 71 * widths[0], abs=0.01)
    assert widths[2] == pytest.approx(100 / 90 * widths[3], abs=0.01)


def test_paired_chart_clamps_to_the_0_to_100_scale():
    rows = [("Full", 100.0, 100.0), ("Over", 130.0, -5.0)]
    widths = [float(bar.get("width")) for bar in rects(parse(paired_bar_chart(rows, title="C")))]
    assert widths[2] == widths[0]
    assert widths[3] == 0


def test_paired_chart_without_data_draws_only_the_ideal_bar():
    rows = [("Low", None, 70.0), ("High", 93.0, 95.0)]
    root = parse(paired_bar_chart(rows, title="Calibration"))
    bars = rects(root)
    assert [title_of(bar) for bar in bars] == [
        "Low: ideal 70%",
        "High: 93% remembered (ideal 95%)",
        "High: ideal 95%",
    ]
    assert bars[0].get("class") == "chart-bar chart-bar-ideal"
    note = next(text for text in root.iter(f"{SVG}text") if text.get("class") == "chart-value")
    assert title_of(note).startswith("Low: no data yet")
    assert root[1].text == ("Low: no data yet (ideal 70%); High: 93% remembered (ideal 95%).")


def test_paired_chart_labels_rows():
    root = parse(paired_bar_chart([("Low", 71.0, 70.0), ("Mid", 80.5, 85.0)], title="C"))
    assert labels(root) == ["Low", "Mid"]
    assert "80.5%" in [text.text for text in root.iter(f"{SVG}text")]


def test_paired_chart_escapes_hostile_labels():
    markup = paired_bar_chart([(HOSTILE, None, 70.0), (HOSTILE, 50.0, 60.0)], title=HOSTILE)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = parse(markup)
    assert root[0].text == HOSTILE
    assert labels(root) == [HOSTILE, HOSTILE]
    assert title_of(rects(root)[1]) == f"{HOSTILE}: 50% remembered (ideal 60%)"
