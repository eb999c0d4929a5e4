"""Chart text measured in Chromium: never overlapping, at least 12 px on a phone, and the
sideways-scrolling heatmap reachable by keyboard (#14)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from flashcards.models import Question
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_history, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each chart's text boxes as the browser lays them out, and their rendered font size in CSS px.
_MEASURE = """() => [...document.querySelectorAll('svg.chart')].map(svg => ({
  kind: svg.getAttribute('class'),
  texts: [...svg.querySelectorAll('text')].map(t => {
    const box = t.getBoundingClientRect();
    const px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
    return {text: t.textContent, x: box.left, y: box.top, w: box.width, h: box.height, px};
  }),
}))"""


def _overlaps(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and (a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
    )


@pytest.mark.parametrize("width", [360, 414, 768, 1280])
def test_chart_labels_never_overlap_and_are_legible_on_phones(page, width):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user("learner")
    make_history(user, list(Question.objects.order_by("rank")[:30]), 5,
                 timezone.now() - timedelta(days=45))  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "learner")
    page.goto("/stats/")
    charts = page.evaluate(_MEASURE)
    assert len(charts) >= 5
    for chart in charts:
        texts = [t for t in chart["texts"] if t["w"] > 0]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not _overlaps(a, b), (width, chart["kind"], a["text"], b["text"])
            if width <= 414:
                assert a["px"] >= 12, (width, chart["kind"], a["text"], a["px"])


def test_the_heatmap_scrolls_by_keyboard_on_a_phone(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user("learner")
    make_history(user, list(Question.objects.order_by("rank")[:3]), 3,
                 timezone.now() - timedelta(days=20))  # fmt: skip
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, "learner")
    page.goto("/stats/")
    region = page.locator(".chart-scroll")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('chart-scroll')")
    before = region.evaluate("el => el.scrollLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    assert region.evaluate("el => el.scrollLeft") < before  # it starts at the latest weeks
