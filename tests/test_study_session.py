"""The study session a power user expects: counters that only go down, bury, no back-to-back
repeat, review ahead, learn N more, card actions in the session, and in-place htmx errors."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from flashcards import queue, reviews
from flashcards.models import Card, Interview, Review, StudySettings

from .conftest import answer, make_bank, make_user

HTMX = {"HX-Request": "true"}


def _settings(user) -> StudySettings:
    return StudySettings.objects.get(user=user)


def _today(user, now, scope=None) -> queue.Today:
    return queue.today(user, _settings(user), now, scope)


def _next(user, now, scope=None):
    settings = _settings(user)
    return queue.next_card(user, settings, now, queue.today(user, settings, now, scope), scope)


def _memory(user, question) -> tuple:
    card = Card.objects.get(user=user, question=question)
    return (card.state, card.stability, card.difficulty, card.due, card.reps, card.lapses)


# Counters ----------------------------------------------------------------------------------


def test_the_counters_start_at_what_is_left_and_never_increase_through_a_session(db):
    questions = make_bank(9)
    user = make_user(new_per_day=4, time_zone="UTC", day_starts_at=4)
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # Two review cards due today and one learning card left from yesterday.
    for question in questions[6:8]:
        answer(user, question, 4, start - timedelta(days=40))
    answer(user, questions[8], 1, start - timedelta(hours=6))
    first = _today(user, start).left
    assert (first.new, first.learning, first.review) == (4, 1, 2)
    # Miss cards often (a card missed moves to learning: it must stay in its own counter).
    seen, moment, ratings = [first], start, [1, 3, 1, 1, 2, 3, 1, 4, 3, 3]
    answers = 0
    while (item := _next(user, moment)) is not None:
        answer(user, item.question, ratings[answers % len(ratings)], moment)
        answers += 1
        seen.append(_today(user, moment).left)
        moment += timedelta(minutes=11)
        assert answers < 200
    assert answers > 7  # cards came back: the session had repeats
    for before, after in zip(seen, seen[1:], strict=False):
        assert after.new <= before.new
        assert after.learning <= before.learning
        assert after.review <= before.review
    assert seen[-1] == queue.Left(0, 0, 0)


def test_a_scoped_session_counts_only_its_own_part(db, now):
    questions = make_bank(3)
    other = make_bank(5)
    user = make_user(new_per_day=2)
    scope = queue.Scope("subsection", questions[0].subsection.key, "Part")
    left = _today(user, now, scope).left
    # A scoped session ignores the daily limit: all three of its cards, none of the other five.
    assert (left.new, left.learning, left.review) == (3, 0, 0)
    answer(user, other[0], 4, now)
    assert _today(user, now, scope).left.new == 3
    item = _next(user, now, scope)
    assert item.question in questions


def test_the_queue_starts_with_the_most_likely_question(bank, user, now):
    item = _next(user, now)
    assert item.question.rank == 1


def test_practice_grades_of_new_cards_count_toward_todays_new_limit(client_for, bank, now):
    user = make_user(new_per_day=5)
    client = client_for(user)
    client.post(reverse("practice_start"), {"length": 5, "focus": "bank"})
    interview = Interview.objects.filter(user=user).latest("pk")
    before = _today(user, datetime.now(UTC)).new
    new_drawn = 0
    for position in range(5):
        question_id = interview.question_ids[position]
        if not Card.objects.filter(user=user, question_id=question_id).exists():
            new_drawn += 1
        client.get(reverse("practice_step", args=[interview.pk]))
        client.post(
            reverse("practice_reveal", args=[interview.pk, position]), {"typed_answer": "x"}
        )
        client.post(
            reverse("practice_grade", args=[interview.pk, position]),
            {"covered": [0], "verdict": "pass"},
        )
        client.post(
            reverse("practice_follow_up", args=[interview.pk, position]),
            {"answer": "y", "verdict": "pass"},
        )
    assert Review.objects.filter(user=user, source="practice").count() == 5
    assert new_drawn == 5 and before == 5
    # Five new cards met in practice use up the day's five: the study screen offers no other
    # new card, only those five while they are still learning.
    assert _today(user, datetime.now(UTC)).new == 0
    assert _next(user, datetime.now(UTC) + timedelta(hours=1)).question.pk in interview.question_ids


# Bury ----------------------------------------------------------------------------------------


def test_a_buried_card_leaves_todays_queue_and_nothing_else_changes(db):
    first, second = make_bank(2)
    user = make_user(new_per_day=5, time_zone="UTC", day_starts_at=4)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    answer(user, first, 1, monday - timedelta(days=3))
    answer(user, first, 4, monday - timedelta(days=3))  # due again today or earlier
    before = _memory(user, first)
    assert _next(user, monday).question == first
    reviews.card_bury(user=user, question=first, now=monday, settings=_settings(user))
    assert _memory(user, first) == before
    assert _next(user, monday).question == second
    assert _today(user, monday).left.review == 0
    # A never-studied card can be buried too, and it is not counted as met.
    reviews.card_bury(user=user, question=second, now=monday, settings=_settings(user))
    assert _next(user, monday) is None
    assert Card.objects.get(user=user, question=second).state == Card.State.NEW
    # The next study day (4 am) both are back.
    tuesday = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert _next(user, tuesday).question == first
    assert _today(user, tuesday).left == queue.Left(new=1, learning=0, review=1)


# No back-to-back repeat -----------------------------------------------------------------------


def test_a_missed_card_waits_while_another_is_available_now_or_in_the_learn_ahead_window(db, now):
    first, second = make_bank(2)
    user = make_user(new_per_day=2)
    answer(user, second, 3, now - timedelta(minutes=1))  # learning, due in about 10 minutes
    answer(user, first, 1, now)  # missed: due again in a minute
    nxt = _next(user, now + timedelta(minutes=2))
    assert nxt.question == second and not nxt.again


def test_a_missed_card_that_is_the_only_one_left_says_so(client_for, db, now):
    (only,) = make_bank(1)
    user = make_user(new_per_day=1)
    answer(user, only, 1, now)
    item = _next(user, now)
    assert item.question == only and item.again
    with time_machine.travel(now, tick=False):
        page = client_for(user).get(reverse("study")).content.decode()
    assert "Again: you missed this a moment ago." in page
    # Once another answer came in between, it is an ordinary card again.
    answer(user, only, 3, now + timedelta(minutes=2))
    later = Card.objects.get(user=user, question=only).due
    assert not _next(user, later).again


# Done screen: review ahead and learn N more ------------------------------------------------------


def test_review_ahead_offers_the_next_days_reviews_most_due_first_once(db):
    questions = make_bank(4)
    user = make_user(new_per_day=0, time_zone="UTC", day_starts_at=4)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    for question, days in zip(questions, [1, 2, 5, 2], strict=True):
        answer(user, question, 4, monday - timedelta(days=10))
        Card.objects.filter(user=user, question=question).update(due=monday + timedelta(days=days))
    assert _next(user, monday) is None
    assert _today(user, monday).ahead == 3
    order = []
    while (item := _next(user, monday, queue.AHEAD)) is not None:
        order.append(item.question)
        review = answer(user, item.question, 3, monday)
        assert len(order) < 5
    # Due in 1, 2, 2 days (rank breaks the tie); the one due in 5 days is not offered.
    assert order == [questions[0], questions[1], questions[3]]
    assert _today(user, monday).ahead == 0
    # An early review is scheduled by FSRS from the days actually elapsed.
    assert review.state_before == Card.State.REVIEW
    assert review.due_after > monday + timedelta(days=1)


def test_learn_more_raises_only_todays_new_limit(client_for, bank):
    user = make_user(new_per_day=1, time_zone="UTC", day_starts_at=4)
    client = client_for(user)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        answer(user, bank[0], 4, monday)
        page = client.get(reverse("study")).content.decode()
        assert 'data-testid="done-for-today"' in page and 'data-testid="learn-more"' in page
        response = client.post(reverse("learn_more"), {"count": 5})
        assert response.status_code == 302 and response["Location"] == reverse("study")
        assert _today(user, monday).left.new == 5
        refused = client.post(reverse("learn_more"), {"count": 7})
        assert refused.status_code == 400 and _today(user, monday).left.new == 5
    assert _today(user, monday + timedelta(days=1)).left.new == 1


# Card actions in the session -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["suspend", "bury", "known"])
def test_a_card_action_with_htmx_shows_the_next_card_and_says_what_happened(
    client_for, user, bank, action
):
    client = client_for(user)
    response = client.post(
        reverse("card_action", args=[bank[0].pk]), {"action": action}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="study-panel"' in html
    assert bank[0].prompt in html.split('data-testid="notice"')[1].split("</p>")[0]
    following = _next(user, datetime.now(UTC))
    assert f'href="/study/{following.question.pk}/reveal/' in html
    card = Card.objects.get(user=user, question=bank[0])
    assert (card.suspended, card.buried_until is not None, card.reps) == {
        "suspend": (True, False, 0),
        "bury": (False, True, 0),
        "known": (False, False, 1),
    }[action]


def test_a_card_action_without_javascript_goes_back_to_the_session(client_for, user, bank):
    client = client_for(user)
    section = bank[0].subsection.section.key
    response = client.post(
        reverse("card_action", args=[bank[0].pk]), {"action": "bury", "scope": f"section:{section}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('study')}?scope=section:{section}"


def test_a_bad_card_action_is_refused_and_changes_nothing(client_for, user, bank, now):
    client = client_for(user)
    assert (
        client.post(reverse("card_action", args=[bank[0].pk]), {"action": "x"}).status_code == 400
    )
    answer(user, bank[0], 3, now)
    refused = client.post(reverse("card_action", args=[bank[0].pk]), {"action": "known"})
    assert refused.status_code == 409
    assert Card.objects.get(user=user, question=bank[0]).reps == 1
    assert client.get(reverse("card_action", args=[bank[0].pk])).status_code == 405


def test_the_card_page_links_back_to_the_session_it_came_from(client_for, user, bank):
    client = client_for(user)
    url = reverse("card", args=[bank[0].pk])
    page = client.get(url, {"next": "/study/?scope=section:x"}).content.decode()
    assert 'href="/study/?scope=section:x"' in page and "Back to your study session" in page
    elsewhere = client.get(url, {"next": "https://evil.example/"}).content.decode()
    assert "Back to your study session" not in elsewhere


# htmx errors stay in place ---------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_htmx_errors_go_to_the_error_region_not_over_the_page(
    client_for, user, bank, settings, debug
):
    settings.DEBUG = debug
    client = client_for(user)
    reviews.card_suspend(user=user, question=bank[0], suspended=True)
    responses = {
        # Revealing a card suspended in another tab.
        404: client.get(reverse("reveal", args=[bank[0].pk]), headers=HTMX),
        # A card that does not exist (raised as Http404: Django's debug page with DEBUG on).
        410: client.post(reverse("card_action", args=[999999]), {"action": "bury"}, headers=HTMX),
        400: client.post(reverse("answer", args=[bank[1].pk]), {"rating": 9}, headers=HTMX),
    }
    for key, response in responses.items():
        assert response.status_code == (404 if key == 410 else key)
        assert response["HX-Retarget"] == "#htmx-error"
        html = response.content.decode()
        assert "<html" not in html.lower() and 'data-testid="htmx-error"' in html
    assert "suspended" in responses[404].content.decode()


def test_an_htmx_request_failing_csrf_gets_an_in_place_error(user, bank):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("answer", args=[bank[0].pk]), {"rating": 3}, headers=HTMX)
    assert response.status_code == 403 and response["HX-Retarget"] == "#htmx-error"
    assert "<html" not in response.content.decode().lower()
    assert not Review.objects.exists()


# The front door and the report form -------------------------------------------------------------


def test_a_visitor_sees_the_front_page_with_a_sample_card_to_flip_and_rate(client, bank):
    page = client.get("/").content.decode()
    first = min(bank, key=lambda q: q.rank)
    assert first.prompt in page and 'href="/accounts/signup/"' in page
    assert "<details" in page and 'name="rating"' in page  # flips and rates without JavaScript
    rated = client.get("/", {"rating": 3})
    html = rated.content.decode()
    assert rated.status_code == 200 and 'data-testid="sample-result"' in html
    assert "Knew it · medium confidence" in html and "would come back in" in html
    assert not Review.objects.exists() and not Card.objects.exists()
    assert 'data-testid="sample-result"' not in client.get("/", {"rating": "x"}).content.decode()


def test_a_learner_at_the_root_still_gets_the_dashboard(client_for, user, bank):
    page = client_for(user).get("/").content.decode()
    assert 'data-testid="readiness"' in page and 'data-testid="sample-card"' not in page


def test_a_new_learner_lands_on_their_first_card(client, bank):
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-passphrase-77",
            "password2": "a-long-passphrase-77",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("study")
    page = client.get(response["Location"]).content.decode()
    first = min(bank, key=lambda q: q.rank)
    assert first.prompt in page


def test_the_report_form_has_no_blank_choice_selected(client_for, user, bank):
    url = reverse("card_report", args=[bank[0].pk])
    html = client_for(user).get(url, headers=HTMX).content.decode()
    assert "---------" not in html and "checked" not in html
    assert 'value="wrong"' in html
    refused = client_for(user).post(url, {"comment": "no kind"}, headers=HTMX)
    assert refused.status_code == 400
