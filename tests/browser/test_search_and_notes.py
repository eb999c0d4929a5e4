"""Search → snippet → study these results, and a note written during study, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from flashcards import search
from flashcards.models import Note, Question, Review
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_shows_snippets_keeps_the_query_and_studies_the_results(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user("searcher")
    found = search.find(Question.objects.active(), search.parse("kv cache"), user)
    log_in(page, "searcher")
    page.goto("/browse/")
    page.wait_for_load_state("load")
    page.get_by_label("Search questions, answers and your notes").fill("kv cache")
    count = page.get_by_test_id("result-count")
    expect(count).to_have_text(f"{len(found)} questions match “kv cache”, best match first.")
    expect(page).to_have_url(re.compile(r"/browse/\?q=kv(%20|\+)cache"))  # in the address
    first = page.locator(".question-row").first
    expect(first.locator("a mark")).to_have_text(["KV", "cache"])
    expect(first.get_by_test_id("snippet").locator("mark").first).to_be_visible()

    page.get_by_role("link", name="Study these results").click()
    expect(page.locator(".scope-label")).to_contain_text("Search results for “kv cache”")
    new_left = page.get_by_test_id("left-new").locator("strong")
    expect(new_left).to_have_text(str(len(found)))  # all of them: no daily limit of 10
    page.wait_for_load_state("load")
    prompts = {q.prompt for q in found}
    for done in range(1, 3):
        assert page.locator("#card-question").inner_text() in prompts
        page.keyboard.press("Space")
        expect(page.locator(".card-back")).to_be_visible()
        page.keyboard.press("4")
        expect(new_left).to_have_text(str(len(found) - done))
    answered = set(Review.objects.filter(user=user).values_list("question_id", flat=True))
    assert len(answered) == 2 and answered <= {q.pk for q in found}

    # Back to the results: the address kept the query, so the page shows the same search.
    page.go_back()
    expect(page.get_by_label("Search questions, answers and your notes")).to_have_value("kv cache")
    expect(count).to_contain_text("match “kv cache”")


def test_a_note_added_during_study_appears_in_place_and_persists(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user("noter")
    log_in(page, "noter")
    page.goto("/study/")
    page.wait_for_load_state("load")
    page.evaluate("window.noReload = true")
    page.keyboard.press("Space")
    expect(page.locator(".card-back")).to_be_visible()
    page.get_by_test_id("edit-note").click()
    box = page.get_by_label("Your own example", exact=False)
    box.click()
    # Typed for real: the study screen's keys (4 answers, b buries, s suspends) stay in the box.
    page.keyboard.type("Used 4 GPUs in **my project**, bs")
    page.get_by_test_id("save-note").click()
    note = page.get_by_test_id("note-text")
    expect(note).to_contain_text("Used 4 GPUs in my project, bs")
    expect(note.locator("strong")).to_have_text("my project")
    assert page.evaluate("window.noReload") is True, "saved in place, without a page load"
    assert not Review.objects.filter(user=user).exists()
    saved = Note.objects.get(user=user)
    assert saved.text == "Used 4 GPUs in **my project**, bs"

    page.goto(f"/cards/{saved.question_id}/")
    expect(page.get_by_test_id("note-text")).to_contain_text("Used 4 GPUs in my project")
