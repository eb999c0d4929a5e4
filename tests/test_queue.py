"""Today's queue: due first (most overdue first), then new by likelihood, within the daily limit."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection

from flashcards import queue
from flashcards.models import (
    NEW_CARD,
    NEW_CARD_SQL,
    STUDYING_CARD_SQL,
    Card,
    StudySettings,
    is_new_card,
    is_studying_card,
)

from .conftest import answer, make_bank, make_user


def _settings(user) -> StudySettings:
    return StudySettings.objects.get(user=user)


def _next(user, now):
    settings = _settings(user)
    return queue.next_card(user, settings, now, queue.today(user, settings, now))


def _study_through(user, now, answers: int, rating: int = 3):
    for _ in range(answers):
        item = _next(user, now)
        answer(user, item.question, rating, now)


def test_new_cards_come_in_likelihood_order(db, now):
    questions = make_bank(4)
    for question, rank in zip(questions, [40, 10, 30, 20], strict=True):
        question.rank = rank
        question.save()
    user = make_user()
    seen = []
    for _ in range(4):
        item = _next(user, now)
        seen.append(item.question.rank)
        answer(user, item.question, 4, now)  # Easy: out of today's queue
    assert seen == [10, 20, 30, 40]


def test_due_cards_come_before_new_ones_most_overdue_first(db, now):
    a, b, c = make_bank(3)
    user = make_user()
    answer(user, a, 4, now - timedelta(days=60))
    answer(user, b, 4, now - timedelta(days=30))
    due_dates = {q.pk: Card.objects.get(user=user, question=q).due for q in (a, b)}
    assert all(due < now for due in due_dates.values())
    order = []
    for _ in range(3):
        item = _next(user, now)
        order.append(item.question)
        answer(user, item.question, 4, now)
    assert order == [a, b, c]


def test_the_new_card_limit_counts_per_study_day(db):
    make_bank(8)
    user = make_user(new_per_day=3, time_zone="UTC", day_starts_at=4)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    for _ in range(3):
        item = _next(user, monday)
        answer(user, item.question, 4, monday)
    assert queue.today(user, _settings(user), monday).new == 0
    assert _next(user, monday) is None
    # 03:59 next morning is still Monday's study day; 04:00 starts Tuesday's.
    assert queue.today(user, _settings(user), datetime(2026, 12, 1, 3, 59, tzinfo=UTC)).new == 0
    assert queue.today(user, _settings(user), datetime(2026, 12, 1, 4, 0, tzinfo=UTC)).new == 3


def test_the_study_day_follows_the_learners_time_zone(db):
    make_bank(6)
    # 10:00 UTC is 00:00 in Honolulu (UTC-10): still yesterday's study day until 04:00 local.
    hawaii = make_user(new_per_day=2, time_zone="Pacific/Honolulu", day_starts_at=4)
    # Auckland in summer is UTC+13: 15:00 UTC is 04:00 local, the start of a new day.
    auckland = make_user(new_per_day=2, time_zone="Pacific/Auckland", day_starts_at=4)
    evening = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # 03:30 Hawaii / 02:30 Auckland
    for user in (hawaii, auckland):
        _study_through(user, evening, 2, rating=4)
        assert queue.today(user, _settings(user), evening).new == 0
    later = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 04:30 Hawaii / 03:30 Auckland
    assert queue.today(hawaii, _settings(hawaii), later).new == 2
    assert queue.today(auckland, _settings(auckland), later).new == 0
    assert queue.today(auckland, _settings(auckland), later + timedelta(minutes=30)).new == 2


def test_study_day_boundaries_for_far_time_zones(db):
    user = make_user(time_zone="Pacific/Kiritimati", day_starts_at=0)  # UTC+14
    day = queue.study_day(datetime(2026, 11, 30, 9, 59, tzinfo=UTC), _settings(user))
    assert day.start == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_a_learning_card_comes_back_in_the_same_session(db, now):
    (question,) = make_bank(1)
    user = make_user()
    answer(user, question, 1, now)  # Didn't know: back in about a minute
    item = _next(user, now)  # nothing else left, so it is learned ahead rather than waited for
    assert item is not None and item.question == question
    with time_machine.travel(now + timedelta(minutes=2)):
        later = now + timedelta(minutes=2)
        assert queue.today(user, _settings(user), later).due == 1
        assert _next(user, later).question == question


def test_done_for_today_when_nothing_is_left(db, now):
    (question,) = make_bank(1)
    user = make_user()
    answer(user, question, 4, now)
    counts = queue.today(user, _settings(user), now)
    assert _next(user, now) is None
    assert counts.remaining == 0
    assert counts.next_due == Card.objects.get(user=user).due
    assert counts.done == 1


def test_suspended_cards_are_not_studied(db, now):
    a, b = make_bank(2)
    user = make_user()
    Card.objects.create(user=user, question=a, suspended=True)
    assert _next(user, now).question == b
    assert queue.today(user, _settings(user), now).new == 1


def test_inactive_questions_leave_the_queue(db, now):
    a, b = make_bank(2)
    user = make_user()
    answer(user, a, 1, now)
    a.is_active = False
    a.save()
    counts = queue.today(user, _settings(user), now + timedelta(minutes=5))
    assert counts.due == 0
    assert _next(user, now + timedelta(minutes=5)).question == b


def test_new_cards_are_held_back_when_reviews_exceed_the_cap(db, now):
    questions = make_bank(6)
    user = make_user(review_cap=2, new_per_day=5)
    for question in questions[:3]:
        answer(user, question, 4, now - timedelta(days=40))  # all three due again by now
    counts = queue.today(user, _settings(user), now)
    assert counts.held_back is True
    assert (counts.due, counts.new) == (2, 0)
    StudySettings.objects.filter(user=user).update(review_cap=3)
    counts = queue.today(user, _settings(user), now)
    assert counts.held_back is False
    assert (counts.due, counts.new) == (3, 3)


def test_the_review_cap_stops_reviews_once_used(db, now):
    # Regression: once the cap was used, next_card fell through to the learn-ahead query, whose
    # bound still let overdue review cards through.
    questions = make_bank(4)
    user = make_user(review_cap=2, new_per_day=0)
    for question in questions:
        answer(user, question, 4, now - timedelta(days=40))  # all four due again by now
    assert Card.objects.filter(user=user, state=Card.State.REVIEW, due__lt=now).count() == 4
    _study_through(user, now, answers=2, rating=3)
    counts = queue.today(user, _settings(user), now)
    assert (counts.done, counts.due, counts.new) == (2, 0, 0)
    assert _next(user, now) is None


def test_one_definition_of_a_new_and_a_studying_card(db, now):
    questions = make_bank(9)
    user = make_user()
    combos = [(state, suspended) for state in Card.State.values for suspended in (False, True)]
    for question, (state, suspended) in zip(questions, combos, strict=False):
        Card.objects.create(user=user, question=question, state=state, suspended=suspended,
                            due=now, last_review=now, stability=1.0, difficulty=5.0)  # fmt: skip
    cards = {c.pk: c for c in Card.objects.filter(user=user)}
    in_python = {
        kind: {c.pk for c in cards.values() if test(c.state, c.suspended)}
        for kind, test in (("new", is_new_card), ("studying", is_studying_card))
    }
    in_orm = {
        "new": set(Card.objects.filter(NEW_CARD, user=user).values_list("pk", flat=True)),
        "studying": set(Card.objects.filter(user=user).studying().values_list("pk", flat=True)),
    }
    in_sql = {}
    for kind, condition in (("new", NEW_CARD_SQL), ("studying", STUDYING_CARD_SQL)):
        with connection.cursor() as cursor:
            sql = f"SELECT c.id FROM flashcards_card c WHERE c.user_id = %s AND {condition}"
            cursor.execute(sql, [user.pk])
            in_sql[kind] = {row[0] for row in cursor.fetchall()}
    assert in_python == in_orm == in_sql
    assert len(in_python["new"]) == 1 and len(in_python["studying"]) == 3
    assert is_new_card(None, None) and not is_studying_card(None, None)  # no card yet: new
    # The queue counts the new cards the same way: one unstarted question, one new card.
    assert queue.today(user, _settings(user), now).new == 1 + 1


def test_days_until_the_interview_is_one_rule_for_the_plan_and_the_scheduler(db):
    from datetime import date

    from flashcards import readiness, reviews

    user = make_user(interview_date=date(2026, 12, 10), time_zone="Asia/Tokyo", day_starts_at=4)
    settings = _settings(user)
    tokyo = ZoneInfo("Asia/Tokyo")
    cases = [  # local moment, days left, the scheduler's maximum interval
        (datetime(2026, 12, 8, 12, 0, tzinfo=tokyo), 2, 1),
        (datetime(2026, 12, 10, 3, 59, tzinfo=tokyo), 1, 1),  # still the 9th's study day
        (datetime(2026, 12, 10, 4, 0, tzinfo=tokyo), 0, 36500),  # the day itself
        (datetime(2026, 12, 11, 4, 0, tzinfo=tokyo), None, 36500),  # after it
    ]
    for moment, days, maximum in cases:
        assert queue.days_until_interview(settings, moment) == days, moment
        plan = readiness.interview_plan([], settings, moment)
        assert (plan.days_left if plan else None) == days, moment
        assert reviews.policy_for(settings, moment).maximum_interval == maximum, moment
