"""Undo, the interview plan and the statistics charts, in a real browser."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from flashcards.models import Question, Review
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_history, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _learner(username: str = "learner", **settings) -> User:
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    return make_user(username, **settings)


def test_undo_restores_the_previous_card_and_the_counts(page):
    _learner()
    log_in(page, "learner")
    page.goto("/study/")
    page.wait_for_load_state("load")
    first = page.locator("#card-question").inner_text()
    page.keyboard.press("Space")
    expect(page.locator(".card-back")).to_be_visible()
    page.keyboard.press("3")
    expect(page.get_by_test_id("progress-text")).to_contain_text("1 of")
    expect(page.locator("#card-question")).not_to_have_text(first)

    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#card-question")).to_have_text(first)
    expect(page.get_by_test_id("progress-text")).to_contain_text("0 of")
    expect(page.get_by_text("Answer undone.")).to_be_visible()
    assert Review.objects.count() == 0

    # The keyboard does the same: answer twice, then U twice.
    for _ in range(2):
        page.keyboard.press("Space")
        expect(page.locator(".card-back")).to_be_visible()
        page.keyboard.press("4")
        expect(page.locator(".card-back")).to_have_count(0)
    expect(page.get_by_test_id("progress-text")).to_contain_text("2 of")
    page.keyboard.press("u")
    expect(page.get_by_test_id("progress-text")).to_contain_text("1 of")
    page.keyboard.press("u")
    expect(page.get_by_test_id("progress-text")).to_contain_text("0 of")
    expect(page.locator("#card-question")).to_have_text(first)
    assert Review.objects.count() == 0


def test_setting_an_interview_date_changes_the_plan(page):
    _learner()
    log_in(page, "learner")
    expect(page.get_by_test_id("plan")).to_have_count(0)
    page.get_by_role("link", name="Settings").click()
    interview = (timezone.now() + timedelta(days=22)).date()
    page.fill("#id_interview_date", interview.isoformat())
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("plan")).to_be_visible()
    needed = page.get_by_test_id("plan-needed").inner_text()
    assert needed in {"5", "6"}  # 100 new cards over the 20 days before the last two
    page.get_by_role("button", name=f"Set my daily limit to {needed}").click()
    expect(page.get_by_text(f"Daily new-card limit set to {needed}.")).to_be_visible()
    expect(page.get_by_test_id("new-count")).to_have_text(needed)


def test_a_past_interview_date_is_refused_in_the_form(page):
    _learner()
    log_in(page, "learner")
    page.goto("/settings/")
    page.fill("#id_interview_date", "2020-01-01")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_interview_date_error")).to_contain_text("cannot be in the past")


def test_the_statistics_page_renders_labelled_charts(page):
    user = _learner()
    make_history(
        user, list(Question.objects.order_by("rank")[:15]), 4, timezone.now() - timedelta(days=40)
    )
    log_in(page, "learner")
    page.get_by_role("link", name="Statistics").click()
    charts = page.locator("svg.chart")
    # Six charts, but the history logs no answer times: minutes per day is a sentence instead.
    expect(charts).to_have_count(5)
    expect(page.get_by_text("No study time in the last 30 days.")).to_be_visible()
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        label_ids = chart.get_attribute("aria-labelledby").split()
        for label_id in label_ids:
            assert page.locator(f"#{label_id}").text_content().strip()
    assert page.locator("svg.chart-heatmap rect.heat").count() == 365
    expect(page.locator("svg.chart-heatmap rect.heat-4").first).to_be_attached()
