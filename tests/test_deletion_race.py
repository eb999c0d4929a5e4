"""Deleting the account while another session of the same learner keeps writing (issue 18, item
8): real threads on PostgreSQL, each with its own connection and its own signed-in client."""

import random
import threading
import time

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from flashcards.models import Card, Review, StudySettings

from .conftest import PASSWORD, make_bank, make_user

ROUNDS = 6
ALLOWED = {409} | set(range(200, 400))


def _rows_of(user_id: int) -> dict[str, int]:
    """Every row in the database that points at the user, by model (the app's and allauth's)."""
    counts = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model is User:
                counts[f"{model._meta.label}.{field.name}"] = model.objects.filter(
                    **{field.attname: user_id}
                ).count()
    return counts


def _signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _answering(client: Client, user_id: int, questions, statuses: list, deleted: threading.Event):
    try:
        after = 0
        while after < 3:
            question = random.choice(questions)
            reps = Card.objects.filter(user_id=user_id, question=question).values_list(
                "reps", flat=True
            )
            data = {"rating": random.choice([1, 3, 4]), "reps": reps.first() or 0}
            statuses.append(client.post(reverse("answer", args=[question.pk]), data).status_code)
            after += deleted.is_set()
    finally:
        connection.close()


def _changing_settings(client: Client, statuses: list, deleted: threading.Event):
    try:
        after = 0
        while after < 3:
            data = {"new_per_day": random.randint(5, 50), "desired_retention": 0.9,
                    "time_zone": "UTC", "day_starts_at": 4}  # fmt: skip
            statuses.append(client.post(reverse("settings"), data).status_code)
            after += deleted.is_set()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_deleting_the_account_while_other_sessions_write_is_all_or_nothing():
    questions = make_bank(8)
    for _ in range(ROUNDS):
        user = make_user()
        for question in questions[:3]:  # some history to delete
            _signed_in(user).post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": 0})
        before = _rows_of(user.pk)
        statuses: list[int] = []
        deleted = threading.Event()
        writers = [
            threading.Thread(target=_answering,
                             args=(_signed_in(user), user.pk, questions, statuses, deleted)),
            threading.Thread(target=_answering,
                             args=(_signed_in(user), user.pk, questions, statuses, deleted)),
            threading.Thread(target=_changing_settings,
                             args=(_signed_in(user), statuses, deleted)),
        ]  # fmt: skip
        deleter = _signed_in(user)
        for thread in writers:
            thread.start()
        while len(statuses) < 4:  # the writers are under way
            time.sleep(0.01)
        try:
            # The learner presses Delete, and again if asked to retry (at most three times).
            for _attempt in range(3):
                response = deleter.post(reverse("delete_account"), {"password": PASSWORD})
                assert response.status_code in (302, 409), response.content.decode()[:2000]
                rows = _rows_of(user.pk)
                if response.status_code == 302:
                    break
                assert "Nothing was deleted: try again." in response.content.decode()
                assert User.objects.filter(pk=user.pk).exists()
                assert StudySettings.objects.filter(user=user).exists()
                assert rows["flashcards.Card.user"] >= before["flashcards.Card.user"] > 0
                assert rows["flashcards.Review.user"] >= before["flashcards.Review.user"] > 0
        finally:  # the writers stop a few requests after the deletion, even on failure
            deleted.set()
            for thread in writers:
                thread.join()
        assert set(statuses) <= ALLOWED, sorted(statuses)
        assert response.status_code == 302, "still not deleted after three tries"
        assert not User.objects.filter(pk=user.pk).exists()
        assert not any(_rows_of(user.pk).values()), _rows_of(user.pk)
    assert not Review.objects.exists() and not Card.objects.exists()
