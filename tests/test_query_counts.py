"""Pages cost the same number of queries however much history a learner has."""

from datetime import timedelta

import pytest
from django.urls import reverse

from .conftest import make_history, make_user

PAGES = {
    # session, user, settings, card counts, review counts, new-question count,
    # sections, question totals, card totals per section
    "dashboard": (reverse("dashboard"), 9),
    # session, user, settings, card counts, review counts, new-question count, next card
    "study": (reverse("study"), 7),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_history(client, bank, now, page, django_assert_num_queries):
    url, expected = PAGES[page]
    light, heavy = make_user("light"), make_user("heavy")
    make_history(heavy, bank[:60], 6, now - timedelta(days=400))
    for user in (light, heavy):
        client.force_login(user)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_reveal_and_answer_queries_do_not_grow_with_history(
    client, bank, now, django_assert_num_queries
):
    light, heavy = make_user("light"), make_user("heavy")
    make_history(heavy, bank[:60], 6, now - timedelta(days=400))
    question = bank[80]
    for user in (light, heavy):
        client.force_login(user)
        # session, user, question, card, settings, 3 counting queries
        with django_assert_num_queries(8):
            client.get(reverse("reveal", args=[question.pk]), headers={"HX-Request": "true"})
        # session, user, question, settings, savepoint, card insert, card lock, review insert,
        # card update, release savepoint, then the next card's 4 queries
        with django_assert_num_queries(14):
            client.post(
                reverse("answer", args=[question.pk]),
                {"rating": 3, "reps": 0},
                headers={"HX-Request": "true"},
            )
