"""Pages cost the same number of queries for a learner with no history and with 10,000 reviews."""

from datetime import timedelta

import pytest
from django.urls import reverse

from flashcards.models import Review

from .conftest import make_bulk_history, make_user

PAGES = {
    # session, user, settings, card counts, review counts, new-question count,
    # bank with card states, reviews in the 30-day trend window
    "dashboard": (lambda bank: reverse("dashboard"), 8),
    # session, user, settings, card counts, review counts, new-question count, next card
    "study": (lambda bank: reverse("study"), 7),
    # session, user, settings, activity per day, forecast, answers per button, retention per
    # week, calibration, overconfident questions
    "statistics": (lambda bank: reverse("statistics"), 9),
    # session, user, questions with card states and last answers, settings (for the theme)
    "browse": (lambda bank: reverse("browse"), 4),
    "search": (lambda bank: reverse("browse") + "?q=attention+transformer&state=review", 4),
    # session, user, question, card, one page of history, settings (for the theme)
    "card": (lambda bank: reverse("card", args=[bank[0].pk]), 6),
    # session, user, question, card, settings, card counts, review counts, new-question count
    "reveal": (lambda bank: reverse("reveal", args=[bank[0].pk]), 8),
}


@pytest.fixture
def learners(bank, now):
    light, heavy = make_user("light"), make_user("heavy")
    make_bulk_history(heavy, bank, 100, now - timedelta(days=120))
    assert Review.objects.filter(user=heavy).count() == 10_000
    return light, heavy


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_history(
    client, bank, learners, page, django_assert_num_queries
):
    url, expected = PAGES[page]
    for user in learners:
        client.force_login(user)
        with django_assert_num_queries(expected):
            assert client.get(url(bank)).status_code == 200


def test_answer_queries_do_not_grow_with_history(client, bank, learners, django_assert_num_queries):
    question = bank[0]
    for user in learners:
        client.force_login(user)
        reps = 100 if user.username == "heavy" else 0
        # session, user, question, settings, savepoint, card insert, card lock, review insert,
        # card update, release savepoint, then the next card's 4 queries
        with django_assert_num_queries(14):
            response = client.post(
                reverse("answer", args=[question.pk]),
                {"rating": 3, "reps": reps},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200


def test_the_floor_costs_a_session_and_a_user(client, db, django_assert_num_queries):
    client.force_login(make_user("floor"))
    with django_assert_num_queries(2):  # session, user
        response = client.get(reverse("whoami"))
    assert response.content.decode().strip() == "Signed in as floor."
