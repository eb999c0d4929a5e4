"""A learner's first session, in a real browser, keyboard only for studying."""

import pytest
from playwright.sync_api import expect

from flashcards.models import Review, StudySettings
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_study_three_cards_by_keyboard_and_keep_the_counts(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))

    page.goto("/accounts/signup/")
    page.fill("#id_email", "journey@example.com")
    page.fill("#id_username", "journey")
    page.fill("#id_password1", PASSWORD)
    page.click("main button[type=submit]")
    # A new learner lands on their first card, the most likely question.
    page.wait_for_url("**/study/")
    page.wait_for_load_state("load")  # htmx is loaded (deferred); before that, links just navigate
    assert StudySettings.objects.get(user__username="journey").time_zone == "Europe/Berlin"
    new_left = page.get_by_test_id("left-new").locator("strong")
    expect(new_left).to_have_text("10")
    expect(page.locator("#card-question")).to_have_text("What is Generative AI?")
    url_before = page.url

    for done in range(1, 4):
        page.keyboard.press("Enter" if done == 2 else "Space")  # both reveal
        expect(page.locator(".card-back")).to_be_visible()
        expect(page.get_by_test_id("interval-4")).to_be_visible()
        page.keyboard.press("4")  # knew it, high confidence: out of today's queue
        expect(new_left).to_have_text(str(10 - done))
    assert page.url == url_before, "studying swaps the card in place, no full page load"
    assert Review.objects.filter(user__username="journey").count() == 3

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.fill("#id_login", "journey@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.get_by_test_id("done-count")).to_have_text("3")
    expect(page.get_by_test_id("new-count")).to_have_text("7")


def test_a_new_card_is_announced_and_focused(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    from tests.conftest import make_user

    make_user("listener")
    log_in(page, "listener")
    page.goto("/study/")
    page.wait_for_load_state("load")
    page.keyboard.press("Space")
    expect(page.locator("#announcer")).to_have_text("Answer shown: What is Generative AI?")
    page.keyboard.press("4")
    expect(page.locator("#announcer")).to_contain_text("Next card: ")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "card-question"
