"""The study screen through the real stack: login, htmx partials, answering, bad input, CSRF."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from flashcards.models import Card, Review

from .conftest import PASSWORD, answer, make_bank, make_history, make_user


def _reveal_url(html: str) -> str:
    return re.search(r'href="(/study/\d+/reveal/[^"]*)"', html).group(1)


@pytest.mark.parametrize("url", ["/", "/study/", "/study/1/reveal/"])
def test_it_requires_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_answering_requires_login(client, db):
    (question,) = make_bank(1)
    response = client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": 0})
    assert response.status_code == 302
    assert Review.objects.count() == 0


def test_a_plain_request_gets_the_full_page_and_htmx_the_partial(client_for, user, bank):
    client = client_for(user)
    page = client.get("/study/").content.decode()
    partial = client.get("/study/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" in page and 'id="study-panel"' in page
    assert "<html" not in partial and partial.lstrip().startswith('<section id="study-panel"')
    assert "What is Generative AI?" in partial


def test_revealing_shows_the_answer_and_buttons_with_intervals(client_for, user, bank):
    client = client_for(user)
    url = _reveal_url(client.get("/study/").content.decode())
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Generative AI is" in html  # the model answer, rendered
    assert "Key points an interviewer listens for" in html
    assert "Likely follow-up" in html
    shown = re.findall(
        r'data-testid="interval-(\d)"><span class="visually-hidden">again in </span>([^<]+)<', html
    )
    assert shown[:3] == [("1", "1m"), ("2", "6m"), ("3", "10m")]
    # Easy graduates a new card at once: about a week, spread by fuzzing.
    assert shown[3][0] == "4" and re.fullmatch(r"([5-9]|1[0-2])d", shown[3][1])


def test_the_interval_on_the_button_is_the_one_applied(client_for, user, bank, now):
    question = bank[0]
    answer(user, question, 4, now - timedelta(days=20))  # a review card, due by now
    client = client_for(user)
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    shown = dict(
        re.findall(
            r'data-testid="interval-(\d)"><span class="visually-hidden">again in </span>([^<]+)<',
            html,
        )
    )
    client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": 1})
    review = Review.objects.filter(user=user).latest("reviewed_at")
    from flashcards.scheduling import format_interval

    assert format_interval(review.due_after - review.reviewed_at) == shown["3"]


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_each_button_shows_exactly_the_interval_its_answer_applies(client_for, bank, now, rating):
    # A review card long enough for the fuzz to apply (intervals of 2.5 days and more), under a
    # frozen clock: the unrounded interval on the button is due_after - reviewed_at.
    user = make_user()
    question = bank[0]
    answer(user, question, 4, now - timedelta(days=20))
    card = Card.objects.get(user=user, question=question)
    assert card.state == Card.State.REVIEW and card.due <= now
    client = client_for(user)
    with time_machine.travel(now, tick=False):
        html = client.get(reverse("reveal", args=[question.pk])).content.decode()
        shown = {int(r): float(s) for r, s in re.findall(
            r'data-rating="(\d)" data-interval-seconds="([0-9.]+)"', html)}  # fmt: skip
        assert sorted(shown) == [1, 2, 3, 4] and shown[1] < shown[2] < shown[3] < shown[4]
        response = client.post(reverse("answer", args=[question.pk]),
                               {"rating": rating, "reps": card.reps})  # fmt: skip
    assert response.status_code == 302
    review = Review.objects.filter(user=user).latest("reviewed_at")
    assert (review.rating, review.reviewed_at) == (rating, now)
    assert (review.due_after - review.reviewed_at).total_seconds() == pytest.approx(
        shown[rating], abs=1e-6
    )


def test_answering_with_htmx_returns_the_next_card_and_an_event(client_for, user, bank):
    client = client_for(user)
    response = client.post(
        reverse("answer", args=[bank[0].pk]),
        {"rating": 3, "reps": 0, "shown_at": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert '"cardAnswered"' in response["HX-Trigger"]
    html = response.content.decode()
    assert "<html" not in html
    assert "1 of 11 done today" in html
    review = Review.objects.get(user=user)
    assert (review.known, review.confidence, review.rating) == (True, 2, 3)
    assert review.state_before == Card.State.NEW and review.state_after == Card.State.LEARNING


def test_answering_without_javascript_redirects_to_the_next_card(client_for, user, bank):
    client = client_for(user)
    response = client.post(reverse("answer", args=[bank[0].pk]), {"rating": 1, "reps": 0})
    assert response.status_code == 302 and response["Location"] == "/study/"


def test_the_answer_duration_is_recorded_and_capped(client_for, user, bank):
    client = client_for(user)
    client.post(reverse("answer", args=[bank[0].pk]), {"rating": 3, "reps": 0, "shown_at": 1})
    assert Review.objects.get(user=user).duration_ms == 10 * 60 * 1000


@pytest.mark.parametrize(
    "data",
    [
        {"rating": 5, "reps": 0},
        {"rating": "good", "reps": 0},
        {"reps": 0},
        {"rating": 3},
        {"rating": 3, "reps": -1},
        {"rating": 3, "reps": "x"},
        {"rating": 3, "reps": 0, "shown_at": "yesterday"},
    ],
)
def test_an_invalid_answer_gets_400_with_a_message_and_changes_nothing(
    client_for, user, bank, data
):
    response = client_for(user).post(reverse("answer", args=[bank[0].pk]), data)
    assert response.status_code == 400
    assert "Invalid answer" in response.content.decode()
    assert Review.objects.count() == 0 and Card.objects.count() == 0


def test_a_question_that_does_not_exist_or_is_inactive_is_404(client_for, user, bank):
    client = client_for(user)
    inactive = bank[1]
    inactive.is_active = False
    inactive.save()
    for pk in (999999, inactive.pk):
        assert client.get(reverse("reveal", args=[pk])).status_code == 404
        response = client.post(reverse("answer", args=[pk]), {"rating": 3, "reps": 0})
        assert response.status_code == 404
    assert Review.objects.count() == 0


def test_a_card_whose_question_left_the_bank_cannot_be_answered(client_for, user, bank, now):
    answer(user, bank[0], 3, now - timedelta(days=3))
    bank[0].is_active = False
    bank[0].save()
    before = Card.objects.values().get(user=user, question=bank[0])
    response = client_for(user).post(reverse("answer", args=[bank[0].pk]), {"rating": 3, "reps": 1})
    assert response.status_code == 404
    assert Card.objects.values().get(user=user, question=bank[0]) == before
    assert Review.objects.filter(user=user).count() == 1


def test_a_learner_sees_and_changes_only_their_own_cards(client_for, bank, now):
    ann, bob = make_user("ann"), make_user("bob")
    make_history(ann, bank[:3], 2, now - timedelta(days=30))
    html = client_for(bob).get("/").content.decode()
    assert '<dd data-testid="done-count">0</dd>' in html
    client_for(bob).post(reverse("answer", args=[bank[0].pk]), {"rating": 1, "reps": 0})
    assert Card.objects.get(user=ann, question=bank[0]).reps == 2
    assert Card.objects.get(user=bob, question=bank[0]).reps == 1


def test_the_same_answer_twice_is_applied_once(client_for, user, bank):
    client = client_for(user)
    url = reverse("answer", args=[bank[0].pk])
    first = client.post(url, {"rating": 3, "reps": 0}, headers={"HX-Request": "true"})
    second = client.post(url, {"rating": 3, "reps": 0}, headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert second.status_code == 409
    assert "already answered" in second.content.decode()
    assert Review.objects.count() == 1


def test_csrf_is_enforced_on_htmx_posts(user, bank):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("answer", args=[bank[0].pk])
    refused = client.post(url, {"rating": 3, "reps": 0}, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert Review.objects.count() == 0
    page = client.get("/study/").content.decode()
    token = re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page).group(1)
    accepted = client.post(
        url, {"rating": 3, "reps": 0}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert Review.objects.count() == 1


def test_done_for_today_says_when_the_next_card_is_due(client_for, bank, now):
    user = make_user(new_per_day=0)
    html = client_for(user).get("/study/").content.decode()
    assert 'data-testid="done-for-today"' in html
    assert "0 cards due tomorrow, plus up to 0 new" in html


def test_signup_creates_settings_with_the_browsers_time_zone(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "cleo",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 302
    from flashcards.models import StudySettings

    assert StudySettings.objects.get(user__username="cleo").time_zone == "Asia/Tokyo"
    assert client.get("/").status_code == 200


def test_signup_ignores_an_unknown_time_zone(client, db):
    client.post(
        "/accounts/signup/",
        {"username": "dan", "password1": PASSWORD, "password2": PASSWORD, "time_zone": "Mars/Base"},
    )
    from flashcards.models import StudySettings

    assert StudySettings.objects.get(user__username="dan").time_zone == "UTC"


def test_logout_is_a_post(client_for, user):
    client = client_for(user)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
