"""The settings form refuses bad input field by field; browse and search the bank."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from flashcards import reviews, scheduling
from flashcards.models import Card, StudySettings

from .conftest import answer, make_user

VALID = {
    "new_per_day": 15,
    "review_cap": "",
    "desired_retention": 0.85,
    "time_zone": "America/New_York",
    "day_starts_at": 5,
    "interview_date": "",
}


def _settings_values(user):
    return StudySettings.objects.filter(user=user).values().get()


def test_settings_save(client_for, user):
    interview = (timezone.now() + timedelta(days=30)).date()
    response = client_for(user).post(
        reverse("settings"), {**VALID, "interview_date": interview.isoformat(), "review_cap": 50}
    )
    assert response.status_code == 302
    saved = StudySettings.objects.get(user=user)
    assert (saved.new_per_day, saved.desired_retention, saved.time_zone) == (
        15, 0.85, "America/New_York",
    )  # fmt: skip
    assert (saved.day_starts_at, saved.interview_date, saved.review_cap) == (5, interview, 50)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_per_day", -1, "greater than or equal to 0"),
        ("new_per_day", 1000, "less than or equal to 100"),
        ("new_per_day", "ten", "Enter a whole number"),
        ("review_cap", 0, "greater than or equal to 1"),
        ("review_cap", -5, "greater than or equal to 1"),
        ("desired_retention", 0.5, "greater than or equal to 0.7"),
        ("desired_retention", 0.99, "less than or equal to 0.97"),
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice"),
        ("day_starts_at", 24, "less than or equal to 23"),
        ("interview_date", "2020-01-01", "cannot be in the past"),
        ("interview_date", "not-a-date", "Enter a valid date"),
    ],
)
def test_bad_settings_get_a_field_error_and_change_nothing(client_for, user, field, value, message):
    before = _settings_values(user)
    response = client_for(user).post(reverse("settings"), {**VALID, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html  # the error sits with its field
    assert _settings_values(user) == before


def test_changing_retention_affects_future_scheduling_only(client_for, user, bank, now):
    answer(user, bank[0], 4, now)
    card = Card.objects.get(user=user, question=bank[0])
    response = client_for(user).post(reverse("settings"), {**VALID, "desired_retention": 0.97})
    assert response.status_code == 302
    assert StudySettings.objects.get(user=user).desired_retention == 0.97
    assert Card.objects.get(pk=card.pk).due == card.due  # the schedule already made is kept
    # The next answer is scheduled with the new retention (shorter intervals than at 0.9).
    later = card.due + timedelta(hours=1)
    seed = reviews.fuzz_seed(user.pk, bank[0].pk, card.reps)
    expected = {
        retention: scheduling.review(
            reviews.memory_of(card), 3, later, seed=seed,
            policy=scheduling.Policy(desired_retention=retention,
                                     fuzzing=django_settings.FSRS_ENABLE_FUZZING),
        ).due
        for retention in (0.9, 0.97)
    }  # fmt: skip
    assert expected[0.97] < expected[0.9]
    answer(User.objects.get(pk=user.pk), bank[0], 3, later)
    assert Card.objects.get(pk=card.pk).due == expected[0.97]


def test_the_plan_button_sets_the_daily_limit(client_for, bank, now):
    user = make_user(interview_date=now.date() + timedelta(days=12), new_per_day=3)
    client = client_for(user)
    # Every card is new and is introduced over the 12 days left minus the two-day lead
    # (readiness.PLAN_LEAD_DAYS): 10 days, so ceil(cards / 10) a day. The clock is pinned: the
    # study day starts at 4 am local time, so in the small hours "today" is still yesterday and
    # 13 days would be left.
    needed = -(-len(bank) // 10)
    with time_machine.travel(now, tick=False):
        html = client.get(reverse("dashboard")).content.decode()
        assert f'data-testid="plan-needed">{needed}<' in html
        client.post(reverse("apply_plan"))
    assert StudySettings.objects.get(user=user).new_per_day == needed
    no_date = make_user()
    assert client_for(no_date).post(reverse("apply_plan")).status_code == 400


def test_browse_shows_the_tree_with_each_cards_state(client_for, user, bank, now):
    answer(user, bank[0], 1, now)
    html = client_for(user).get(reverse("browse")).content.decode()
    assert "Introduction to Generative AI › Basics and Definitions" in html
    assert f"{len(bank)} questions" in html
    row = html.split(bank[0].prompt)[1].split("</li>")[0]
    assert "Learning" in row and "last: didn't know" in row


def test_search_ranks_by_relevance(client_for, user, bank):
    html = client_for(user).get(reverse("browse"), {"q": "diffusion models"}).content.decode()
    first = html.split('class="question-row"')[1]
    assert "What are <mark>Diffusion</mark> <mark>Models</mark> and how" in first
    assert "best match first" in html


def test_search_and_state_filter_combine(client_for, user, bank, now):
    answer(user, bank[0], 4, now)
    client = client_for(user)
    html = client.get(reverse("browse"), {"state": "review"}).content.decode()
    assert "1 question." in html and bank[0].prompt in html
    html = client.get(reverse("browse"), {"state": "new", "q": "generative"}).content.decode()
    assert bank[0].prompt not in html
    assert client.get(reverse("browse"), {"state": "bogus"}).status_code == 400


def test_an_htmx_search_returns_only_the_results(client_for, user, bank):
    response = client_for(user).get(
        reverse("browse"), {"q": "tokenization"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "tokenization" in html.lower()
