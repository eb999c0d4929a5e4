"""Two simultaneous answers to one card, from real threads, on PostgreSQL."""

import threading

import pytest
from django.db import connection

from flashcards import reviews
from flashcards.models import Card, Review

from .conftest import make_bank, make_user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing_card", [False, True])
def test_two_simultaneous_answers_write_exactly_one_review(now, existing_card):
    (question,) = make_bank(1)
    user = make_user()
    if existing_card:
        Card.objects.create(user=user, question=question)
    barrier = threading.Barrier(2)
    outcomes = []

    def answer_once():
        try:
            barrier.wait()
            reviews.card_answer(
                user=user, question_id=question.pk, rating=3, expected_reps=0, now=now
            )
            outcomes.append("applied")
        except reviews.DuplicateAnswer:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "duplicate"]
    assert Review.objects.count() == 1
    assert Card.objects.get().reps == 1
