"""One Undo request undoes one answer: a repeat of the same page's Undo (double click, second tab,
two simultaneous requests) is refused with 409."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from flashcards.models import Review

from .conftest import make_bank, make_user


def _answer_two_and_read_the_undo_token(client, questions) -> str:
    for question in questions:
        client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": 0})
    html = client.get("/study/").content.decode()
    form = re.search(r'<form method="post" action="/study/undo/".*?</form>', html, re.S)[0]
    return re.search(r'name="shown_at" value="(\d+)"', form)[1]


def test_the_same_pages_undo_sent_twice_undoes_one_answer(client_for, user, bank):
    client = client_for(user)
    token = _answer_two_and_read_the_undo_token(client, bank[:2])
    assert client.post(reverse("undo"), {"shown_at": token}).status_code == 200
    repeat = client.post(reverse("undo"), {"shown_at": token})
    assert repeat.status_code == 409
    assert "That answer was already undone." in repeat.content.decode()
    assert Review.objects.filter(user=user).count() == 1


def test_the_page_an_undo_returns_can_undo_the_next_answer(client_for, user, bank):
    client = client_for(user)
    token = _answer_two_and_read_the_undo_token(client, bank[:2])
    html = client.post(reverse("undo"), {"shown_at": token}, headers={"HX-Request": "true"})
    next_token = re.search(r'name="shown_at" value="(\d+)"', html.content.decode())[1]
    assert client.post(reverse("undo"), {"shown_at": next_token}).status_code == 200
    assert Review.objects.filter(user=user).count() == 0


@pytest.mark.parametrize("data", [{}, {"shown_at": "soon"}, {"shown_at": "-5"}])
def test_an_undo_without_a_valid_page_time_is_refused_and_changes_nothing(
    client_for, user, bank, data
):
    client = client_for(user)
    _answer_two_and_read_the_undo_token(client, bank[:2])
    assert client.post(reverse("undo"), data).status_code == 400
    assert Review.objects.filter(user=user).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_undos_from_one_page_undo_one_answer():
    questions = make_bank(3)
    user = make_user()
    setup = Client()
    setup.force_login(user)
    token = _answer_two_and_read_the_undo_token(setup, questions[:2])
    barrier = threading.Barrier(2)
    statuses = []

    def undo():
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            statuses.append(client.post(reverse("undo"), {"shown_at": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert Review.objects.filter(user=user).count() == 1
