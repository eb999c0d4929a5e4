"""Statistics: plain functions over aggregates, with hand-worked expected values."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from flashcards import queue, readiness, stats
from flashcards.models import Card, Review, StudySettings

from .conftest import make_bank, make_user

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def _review(user, question, at, *, known=True, confidence=2, state_before=Card.State.REVIEW,
            ms=None, rating=None, after=timedelta(days=2)):  # fmt: skip
    """Log a review `after` this long since the card's previous answer."""
    card, _ = Card.objects.get_or_create(
        user=user, question=question,
        defaults={"state": Card.State.REVIEW, "stability": 5.0, "due": at, "last_review": at},
    )  # fmt: skip
    return Review.objects.create(
        user=user, card=card, question=question, known=known,
        confidence=confidence if known else None, rating=rating or (3 if known else 1),
        reviewed_at=at, duration_ms=ms, state_before=state_before, last_review_before=at - after,
        state_after=Card.State.REVIEW, stability_after=5.0, difficulty_after=5.0, due_after=at,
    )  # fmt: skip


def _settings(user) -> StudySettings:
    return StudySettings.objects.get(user=user)


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ({1, 2, 3, 5, 6}, 6, (2, 3)),
        ({1, 2, 3, 5, 6}, 7, (2, 3)),  # today not studied yet: yesterday's streak still counts
        ({1, 2, 3, 5, 6}, 8, (0, 3)),
        (set(), 8, (0, 0)),
        ({4}, 4, (1, 1)),
    ],
)
def test_streaks(days, today, expected):
    as_dates = {date(2026, 11, d) for d in days}
    assert stats.streaks(as_dates, date(2026, 11, today)) == expected


@pytest.mark.parametrize(
    ("zone", "at", "day"),
    [
        ("Pacific/Honolulu", datetime(2026, 11, 20, 13, 30, tzinfo=UTC), date(2026, 11, 19)),
        ("Pacific/Honolulu", datetime(2026, 11, 20, 14, 0, tzinfo=UTC), date(2026, 11, 20)),
        ("Pacific/Auckland", datetime(2026, 11, 20, 14, 59, tzinfo=UTC), date(2026, 11, 20)),
        ("Pacific/Auckland", datetime(2026, 11, 20, 15, 0, tzinfo=UTC), date(2026, 11, 21)),
    ],
)
def test_activity_counts_per_local_study_day(db, zone, at, day):
    (question,) = make_bank(1)
    user = make_user(time_zone=zone, day_starts_at=4)
    _review(user, question, at, ms=90_000)
    _review(user, question, at, ms=30_000)
    activity = stats.activity(user, _settings(user), NOW)
    assert activity.reviews_per_day == {day: 2}
    assert activity.seconds_per_day == {day: 120}


def test_forecast_puts_overdue_cards_today_and_the_rest_on_their_local_day(db):
    a, b, c = make_bank(3)
    user = make_user(time_zone="Pacific/Honolulu", day_starts_at=4)
    for question, due in [
        (a, NOW - timedelta(days=3)),  # overdue
        (b, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)),  # 03:00 Dec 1 local: Nov 30's study day
        (c, datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),  # 05:00 Dec 1 local
    ]:
        Card.objects.create(user=user, question=question, state=Card.State.REVIEW, due=due,
                            stability=5.0, last_review=NOW)  # fmt: skip
    forecast = dict(stats.forecast(user, _settings(user), NOW))
    assert forecast[date(2026, 11, 29)] == 1
    assert forecast[date(2026, 11, 30)] == 1
    assert forecast[date(2026, 12, 1)] == 1
    assert sum(forecast.values()) == 3 and len(forecast) == 30


def test_answers_per_button(db):
    (question,) = make_bank(1)
    user = make_user()
    for rating in (1, 3, 3, 4):
        _review(user, question, NOW, known=rating > 1, rating=rating)
    assert stats.answers_per_button(user) == {1: 1, 2: 0, 3: 2, 4: 1}


def test_true_retention_per_week_counts_only_cards_in_review_after_a_day_away(db):
    (question,) = make_bank(1)
    user = make_user(time_zone="UTC", day_starts_at=0)
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for known in (True, True, True, False):
        _review(user, question, monday, known=known)
    _review(user, question, monday, known=False, state_before=Card.State.LEARNING)
    # A re-review an hour after the last one says nothing about memory.
    _review(user, question, monday, known=True, after=timedelta(hours=1))
    weeks = stats.true_retention_by_week(user, _settings(user), NOW)
    assert weeks[-1] == (date(2026, 11, 23), 4, 0.75)
    assert weeks[-2] == (date(2026, 11, 16), 0, None)


def test_calibration_compares_confidence_with_the_next_review(db):
    a, b, c = make_bank(3)
    user = make_user()
    t = NOW - timedelta(days=10)
    _review(user, a, t, confidence=2)
    _review(user, a, t + timedelta(days=2), confidence=3)  # medium → remembered; last: no next
    _review(user, b, t, confidence=2)
    _review(user, b, t + timedelta(days=2), known=False)  # medium → forgotten
    _review(user, c, t, confidence=3)
    _review(user, c, t + timedelta(days=3), known=False)  # high → forgotten
    _review(user, c, t + timedelta(days=3, hours=1), confidence=1)  # low → an hour later: ignored
    _review(user, c, t + timedelta(days=3, hours=2), known=False)
    levels = {level.confidence: level for level in stats.calibration(user)}
    assert (levels[2].answers, levels[2].remembered) == (2, 1)
    assert (levels[3].answers, levels[3].remembered) == (1, 0)
    assert levels[1].answers == 0
    # Below the threshold a level has no share: two answers are not a measurement.
    assert not levels[2].enough and levels[2].share is None
    assert list(stats.overconfident_questions(user)) == [c]


def test_calibration_shows_a_share_from_the_threshold(db):
    questions = make_bank(stats.CALIBRATION_MIN_ANSWERS)
    user = make_user()
    t = NOW - timedelta(days=10)
    for i, question in enumerate(questions):
        _review(user, question, t, confidence=1)
        _review(user, question, t + timedelta(days=2), known=i % 2 == 0)
    (low,) = [level for level in stats.calibration(user) if level.confidence == 1]
    assert low.enough and low.share == 0.5


def test_calibration_ignores_other_learners(db):
    (question,) = make_bank(1)
    ann, bob = make_user(), make_user()
    _review(ann, question, NOW - timedelta(days=2), confidence=3)
    _review(bob, question, NOW - timedelta(days=1), known=False)
    assert all(level.answers == 0 for level in stats.calibration(ann))


def test_mastery_map_counts_states_and_known_cards(db):
    questions = make_bank(6)
    user = make_user(desired_retention=0.9)
    proven = NOW - timedelta(days=1)
    states = [
        {"state": Card.State.REVIEW, "stability": 100.0, "last_review": proven,
         "proven_at": proven},
        {"state": Card.State.REVIEW, "stability": 1.0, "last_review": NOW - timedelta(days=30),
         "proven_at": NOW - timedelta(days=30)},
        {"state": Card.State.LEARNING, "stability": 1.0, "last_review": NOW},
        {"state": Card.State.REVIEW, "stability": 50.0, "last_review": NOW, "suspended": True,
         "proven_at": proven},
        # Strong, but never recalled after a day away: crammed, not known.
        {"state": Card.State.REVIEW, "stability": 100.0, "last_review": NOW},
    ]  # fmt: skip
    for question, fields in zip(questions, states, strict=False):
        Card.objects.create(user=user, question=question, due=NOW, **fields)
    rows = readiness.bank_rows(user, NOW)
    (section,) = stats.mastery_map(rows, _settings(user), NOW)
    assert (section.total, section.new, section.learning, section.review, section.suspended) == (
        6, 1, 1, 3, 1,
    )  # fmt: skip
    # Known: the strong proven card and the suspended one (proven, recall ≥ 90%); not the faded
    # one, not the learning one (recall 100% this minute), not the crammed one.
    assert section.known == 2 and section.known_percent == 33
    assert section.subsections[0].total == 6


def test_weakest_and_leeches(db):
    a, b, c = make_bank(3)
    user = make_user()
    Card.objects.create(user=user, question=a, state=2, stability=1.0, due=NOW,
                        last_review=NOW - timedelta(days=20), lapses=8)  # fmt: skip
    Card.objects.create(user=user, question=b, state=2, stability=30.0, due=NOW,
                        last_review=NOW - timedelta(days=2))  # fmt: skip
    Card.objects.create(user=user, question=c, state=2, stability=1.0, due=NOW,
                        last_review=NOW - timedelta(days=20), lapses=9, suspended=True)  # fmt: skip
    rows = readiness.bank_rows(user, NOW)
    assert stats.weakest(rows, _settings(user), NOW) == [a.pk, b.pk]
    assert stats.leeches(rows) == [a.pk]


@pytest.mark.parametrize(
    ("zone", "hour", "around"),
    [
        ("Europe/Berlin", 4, datetime(2026, 3, 29, tzinfo=UTC)),  # 02:00 -> 03:00
        ("Europe/Berlin", 4, datetime(2026, 10, 25, tzinfo=UTC)),  # 03:00 -> 02:00
        ("America/New_York", 1, datetime(2026, 11, 1, tzinfo=UTC)),  # 02:00 -> 01:00
        ("Australia/Lord_Howe", 4, datetime(2026, 4, 5, tzinfo=UTC)),  # half-hour change
    ],
)
def test_one_study_day_rule_in_python_and_sql_across_dst_changes(db, zone, hour, around):
    # Regression: the heatmap shifted UTC by the day-start hour before taking the local date, so
    # for an hour after each DST change it filed reviews under another day than the queue.
    (question,) = make_bank(1)
    user = make_user(time_zone=zone, day_starts_at=hour)
    settings = _settings(user)
    moments = [around - timedelta(hours=12) + timedelta(minutes=10 * i) for i in range(6 * 48)]
    for at in moments:
        _review(user, question, at)
    in_sql = dict(
        Review.objects.filter(user=user)
        .annotate(day=queue.StudyDate("reviewed_at", settings))
        .values_list("reviewed_at", "day")
    )
    assert {at: queue.study_day(at, settings).date for at in moments} == in_sql
    expected = Counter(queue.study_day(at, settings).date for at in moments)
    assert stats.activity(user, settings, moments[-1]).reviews_per_day == expected
    for at in moments:  # and each day's bounds contain exactly its own moments
        day = queue.study_day(at, settings)
        assert day.start <= at < day.end
        assert queue.day_start(day.date, settings) == day.start
