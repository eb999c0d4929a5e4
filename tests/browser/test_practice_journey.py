"""A full five-question practice interview in a real browser, through to the report."""

import pytest
from playwright.sync_api import expect

from flashcards.models import Review
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_five_question_interview(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    make_user("candidate")
    log_in(page, "candidate")
    page.get_by_role("link", name="Practice").click()
    page.select_option("#id_length", "5")
    page.get_by_role("button", name="Start the interview").click()

    for number in range(1, 6):
        expect(page.get_by_text(f"Question {number} of 5")).to_be_visible()
        expect(page.locator("[data-timer]")).to_contain_text("suggested time left")
        page.fill("#id_typed_answer", f"Spoken answer number {number}")
        if number == 1:  # the study screen's shortcut works here too, once out of the text box
            page.evaluate("document.activeElement.blur()")
            page.keyboard.press("Space")
        else:
            page.get_by_role("button", name="Reveal the model answer").click()
        checkboxes = page.locator("input[name=covered]")
        expect(checkboxes.first).to_be_visible()
        checkboxes.nth(0).check()
        checkboxes.nth(1).check()
        page.get_by_label("I'd pass this" if number != 2 else "I wouldn't").check()
        page.get_by_role("button", name="Grade and continue").click()
        expect(page.get_by_text("The interviewer follows up:")).to_be_visible()
        page.get_by_label("I answered it well").check()
        label = "Finish the interview" if number == 5 else "Next question"
        page.get_by_role("button", name=label).click()
        # A follow-up with a model answer shows it (and the coach's reading) before moving on.
        result = page.get_by_test_id("follow-up-model-answer")
        after = (page.get_by_text(f"Question {number + 1} of 5") if number < 5
                 else page.get_by_role("heading", name="Interview report"))  # fmt: skip
        expect(result.or_(after)).to_be_visible()
        if result.count():
            page.get_by_role("link", name="See the report" if number == 5 else label).click()

    expect(page.get_by_role("heading", name="Interview report")).to_be_visible()
    expect(page.get_by_test_id("interview-score")).to_contain_text("%")
    expect(page.get_by_text("Revisit these")).to_be_visible()
    expect(page.get_by_text("Spoken answer number 4")).to_be_visible()
    assert Review.objects.filter(source="practice").count() == 5
