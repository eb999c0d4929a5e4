"""A learner writes a question of their own and meets it next when they study."""

import pytest
from playwright.sync_api import expect

from flashcards.models import Card, Question, Review, Tagging
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "How would you cut p95 latency of our RAG endpoint?"


def test_a_high_priority_own_card_is_the_next_new_card_and_is_answered(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    user = make_user("writer")
    log_in(page, "writer")

    page.goto("/browse/")
    page.get_by_role("link", name="Write a question").click()
    page.get_by_label("Prompt", exact=True).fill(PROMPT)
    answer = page.get_by_label("Answer", exact=True)
    answer.fill("Cache **embeddings**, stream tokens, trim the context.")
    page.get_by_label("Key points").fill("cache\nstream\ntrim")
    page.get_by_label("Place it in").select_option(label="My questions")
    page.get_by_label("Priority").select_option("high")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=PROMPT)).to_be_visible()

    page.get_by_role("link", name="Study", exact=True).first.click()
    page.wait_for_load_state("load")  # htmx is loaded (deferred)
    expect(page.locator("#card-question")).to_have_text(PROMPT)
    expect(page.locator(".card-meta")).to_contain_text("My questions")
    page.keyboard.press("Space")
    expect(page.locator(".card-back strong")).to_have_text("embeddings")
    # Tag it on the back of the card, in place.
    page.get_by_label("Add a tag").fill("Job Spec")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator(".card-back .tag-list")).to_contain_text("job-spec")
    page.locator("button.answer-4").click()  # knew it, high confidence

    expect(page.locator("#card-question")).not_to_have_text(PROMPT)
    question = Question.visible.to(user).get(owner=user)
    assert Review.objects.filter(user=user, question=question, rating=4).count() == 1
    assert Card.objects.get(user=user, question=question).reps == 1
    assert Tagging.objects.filter(tag__user=user, question=question, tag__name="job-spec").exists()
