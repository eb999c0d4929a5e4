"""Reporting a problem and downloading your data, in a real browser."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from flashcards.models import Report
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_page(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    make_user("learner")
    log_in(page, "learner")
    return page


def test_report_a_problem_from_the_back_of_a_card(learner_page):
    page = learner_page
    page.goto("/study/")
    page.wait_for_load_state("load")
    page.keyboard.press("Space")
    expect(page.locator(".card-back")).to_be_visible()
    page.get_by_text("Report a problem with this answer").click()
    page.get_by_label("Outdated").check()
    page.get_by_label("Comment (optional)").fill("Mentions an old model name.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_test_id("report-thanks")).to_be_visible()
    report = Report.objects.get()
    assert (report.kind, report.comment) == ("outdated", "Mentions an old model name.")
    # The card itself is still there to answer.
    expect(page.get_by_test_id("interval-3")).to_be_visible()


def test_download_progress_as_csv(learner_page):
    page = learner_page
    page.get_by_role("link", name="Your data").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Progress and full review history as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "genai-prep-progress.zip"
    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert sorted(archive.namelist()) == [
        "cards.csv", "email_addresses.csv", "linked_accounts.csv", "llm_feedback.csv",
        "notes.csv", "own_cards.csv", "practice_answers.csv", "reminder_settings.csv",
        "reminders.csv", "reports.csv", "reviews.csv", "settings.csv", "tags.csv",
    ]  # fmt: skip
