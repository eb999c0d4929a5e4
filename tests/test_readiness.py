"""Interview readiness, its trend and the interview plan, against hand-worked values."""

import math
from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest

from flashcards import readiness, reviews
from flashcards.models import Card, Review, StudySettings

from .conftest import answer, make_bank, make_user

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def fsrs_recall(elapsed_days: int, stability: float) -> float:
    """FSRS-6's forgetting curve, written out independently of the app."""
    decay = -fsrs.scheduler.DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** decay


def _log_review(user, question, at: datetime, stability: float) -> None:
    """Record a review directly, with a chosen stability, and put the card in that state."""
    card, _ = Card.objects.update_or_create(
        user=user,
        question=question,
        defaults={"state": Card.State.REVIEW, "stability": stability, "difficulty": 5.0,
                  "due": at + timedelta(days=stability), "last_review": at, "reps": 1},
    )  # fmt: skip
    Review.objects.create(
        user=user, card=card, question=question, known=True, confidence=2, rating=3,
        reviewed_at=at, state_before=Card.State.NEW, state_after=Card.State.REVIEW,
        stability_after=stability, difficulty_after=5.0, due_after=card.due,
    )  # fmt: skip


def _rows(user):
    return readiness.bank_rows(user, NOW - timedelta(days=31))


def test_weights_fall_with_the_square_root_of_rank():
    assert readiness.weight(1) == 1
    assert readiness.weight(4) == 0.5
    assert readiness.weight(100) == pytest.approx(0.1)


def test_readiness_is_the_likelihood_weighted_mean_of_recall(db):
    top, fourth = make_bank(2)
    for question, rank in ((top, 1), (fourth, 4)):
        question.rank = rank
        question.save()
    user = make_user()
    # Recall after exactly `stability` days is 90% by FSRS's definition of stability.
    _log_review(user, top, NOW - timedelta(days=3), stability=10.0)
    # Without an interview date it predicts 7 days ahead: 10 days after the review, recall is
    # 90% by FSRS's definition of stability. (1 × 0.9 + 0.5 × 0) / (1 + 0.5)
    assert readiness.readiness(_rows(user), _settings(user), NOW) == pytest.approx(0.6)


def test_a_learner_who_studied_nothing_is_zero_ready(db):
    make_bank(3)
    user = make_user()
    assert readiness.readiness(_rows(user), _settings(user), NOW) == 0.0


def test_the_trend_recomputes_past_days_from_the_review_log(db):
    (question,) = make_bank(1)
    user = make_user(time_zone="UTC", day_starts_at=0)
    _log_review(user, question, datetime(2026, 11, 19, 12, 0, tzinfo=UTC), stability=10.0)
    trend = dict(readiness.readiness_trend(_rows(user), user, _settings(user), NOW).points)
    assert len(trend) == 30
    assert trend[date(2026, 11, 18)] == 0.0
    # Each day predicts 7 days past its own end. End of Nov 19 (midnight) is 12 hours after
    # the review, so its target is 7.5 days after: 7 whole days.
    assert trend[date(2026, 11, 19)] == pytest.approx(fsrs_recall(7, 10.0))
    # End of Nov 28 is 9.5 days after: target 16.5 days, 16 whole days.
    assert trend[date(2026, 11, 28)] == pytest.approx(fsrs_recall(16, 10.0))
    # Today's point is now, 10 days and 3 hours after the review: target 17 whole days.
    assert trend[date(2026, 11, 29)] == pytest.approx(fsrs_recall(17, 10.0))


def test_a_review_before_the_window_still_counts_in_it(db):
    (question,) = make_bank(1)
    user = make_user(time_zone="UTC", day_starts_at=0)
    _log_review(user, question, datetime(2026, 9, 1, 12, 0, tzinfo=UTC), stability=100.0)
    trend = readiness.readiness_trend(_rows(user), user, _settings(user), NOW)
    first_day, first_value = trend.points[0]
    assert first_day == date(2026, 10, 31)
    # From Sep 1 12:00 to 7 days after the end of Oct 31: 67.5 days, 67 whole days.
    assert first_value == pytest.approx(fsrs_recall(67, 100.0))
    assert trend.history_days == 30  # answers before the window: the whole window is history


def _settings(user) -> StudySettings:
    return StudySettings.objects.get(user=user)


@pytest.mark.parametrize(
    ("zone", "review_at", "counted_on"),
    [
        # 13:30 UTC is 03:30 in Honolulu (UTC-10): before the 4 am start, so Nov 19's study day.
        ("Pacific/Honolulu", datetime(2026, 11, 20, 13, 30, tzinfo=UTC), date(2026, 11, 19)),
        # 15:30 UTC is 04:30 next day in Auckland (UTC+13 in November): Nov 21's study day.
        ("Pacific/Auckland", datetime(2026, 11, 20, 15, 30, tzinfo=UTC), date(2026, 11, 21)),
        # 14:30 UTC is 03:30 in Auckland: still Nov 20's study day.
        ("Pacific/Auckland", datetime(2026, 11, 20, 14, 30, tzinfo=UTC), date(2026, 11, 20)),
    ],
)
def test_trend_days_are_the_learners_study_days(db, zone, review_at, counted_on):
    (question,) = make_bank(1)
    user = make_user(time_zone=zone, day_starts_at=4)
    _log_review(user, question, review_at, stability=10.0)
    trend = dict(readiness.readiness_trend(_rows(user), user, _settings(user), NOW).points)
    assert trend[counted_on - timedelta(days=1)] == 0.0
    assert trend[counted_on] == pytest.approx(fsrs_recall(7, 10.0))


def test_the_plan_spreads_the_new_cards_over_the_days_left(db):
    questions = make_bank(10)
    user = make_user(interview_date=date(2026, 12, 6), new_per_day=10)  # 7 days after NOW
    for question in questions[:4]:
        answer(user, question, 3, NOW - timedelta(days=1))
    plan = readiness.interview_plan(_rows(user), _settings(user), NOW)
    assert plan.days_left == 7
    assert plan.unstudied == 6
    # New cards must start 2 days before the interview: 6 cards over 5 days.
    assert plan.new_per_day_needed == 2


def test_the_predicted_readiness_meets_new_cards_most_likely_first(db):
    for rank, question in enumerate(make_bank(4), start=1):
        question.rank = rank
        question.save()
    user = make_user(interview_date=date(2026, 12, 2), new_per_day=1, desired_retention=0.9)
    plan = readiness.interview_plan(_rows(user), _settings(user), NOW)
    assert plan.days_left == 3
    # 1 new card a day on days 0 and 1 (the last 2 days are too late): ranks 1 and 2 are met.
    weights = [1 / math.sqrt(rank) for rank in (1, 2, 3, 4)]
    assert plan.predicted_readiness == pytest.approx(0.9 * sum(weights[:2]) / sum(weights))


def test_no_plan_without_a_date_or_after_it(db):
    make_bank(2)
    user = make_user()
    assert readiness.interview_plan(_rows(user), _settings(user), NOW) is None
    StudySettings.objects.filter(user=user).update(interview_date=date(2026, 11, 1))
    assert readiness.interview_plan(_rows(user), _settings(user), NOW) is None


def test_intervals_end_before_the_interview_and_return_to_normal_after_it(db):
    (question,) = make_bank(1)
    user = make_user(interview_date=date(2026, 12, 9))  # 10 days after NOW
    settings = _settings(user)
    assert reviews.policy_for(settings, NOW).maximum_interval == 9
    answer(user, question, 4, NOW - timedelta(days=60))  # a long-stable card by now
    for _ in range(2):
        answer(user, question, 4, Card.objects.get(user=user).due)
    answer(user, question, 4, NOW)
    assert Card.objects.get(user=user).due.date() <= date(2026, 12, 9)
    settings.interview_date = date(2026, 11, 28)
    assert reviews.policy_for(settings, NOW).maximum_interval == 36500
