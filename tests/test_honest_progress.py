"""Progress numbers that never flatter (#14): a new learner's cramming session, the same cards two
days later, and two learners in different time zones, through the client on PostgreSQL with the
clock moved by time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from flashcards import readiness, stats
from flashcards.models import Card, Review, StudySettings

from .conftest import make_user

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _post_answer(client, question, rating: int) -> None:
    reps = Card.objects.filter(user=client.user, question=question).values_list("reps", flat=True)
    response = client.post(
        reverse("answer", args=[question.pk]), {"rating": rating, "reps": reps.first() or 0}
    )
    assert response.status_code in (200, 302), response.content[:300]


def _cram(client, questions, start: datetime) -> datetime:
    """Answer each card "Didn't know", then "medium" until it leaves the session (review state),
    a minute between answers. Return the time after the last answer."""
    moment = start
    for question in questions:
        for rating in (1, 3, 3, 3, 3):
            with time_machine.travel(moment, tick=False):
                _post_answer(client, question, rating)
            moment += timedelta(minutes=1)
            card = Card.objects.get(user=client.user, question=question)
            if card.state == Card.State.REVIEW:
                break
        assert card.state == Card.State.REVIEW
    return moment


def _momentary(rows, now) -> float:
    """Readiness as it was defined before #14: the weighted recall probability at this moment."""
    total = sum(readiness.weight(r.rank) for r in rows)
    return sum(readiness.weight(r.rank) * r.recall(now) for r in rows) / total


@pytest.fixture
def learner(client, bank):
    user = make_user("newcomer")
    client.force_login(user)
    client.user = user
    return client


def _first_ten(bank):
    return sorted(bank, key=lambda q: q.rank)[:10]


def test_cramming_ten_new_cards_shows_nothing_known_and_no_flattering_figures(learner, bank):
    done = _cram(learner, _first_ten(bank), START)
    with time_machine.travel(done, tick=False):
        response = learner.get(reverse("dashboard"))
        stats_html = learner.get(reverse("statistics")).content.decode()
    html = response.content.decode()
    mastery = response.context["mastery"]
    assert all(s.known == 0 and all(sub.known == 0 for sub in s.subsections) for s in mastery)
    assert "% known" in html and all(f"{s.known_percent}% known" == "0% known" for s in mastery)

    rows = readiness.bank_rows(learner.user, done)
    shown = response.context["readiness"]
    momentary = _momentary(rows, done)
    assert 0 < shown < momentary  # the same data: momentary recall is 100% minutes after
    assert shown <= readiness.reviewed_share(rows)

    assert response.context["trend"].sentence is None
    assert "A trend appears after 7 days of study history (you have 1)" in html
    assert "points in" not in html

    assert "not enough data yet (0 of 10 reviews needed)" in stats_html
    assert "Not enough data yet (0 of 20 reviews needed)" in stats_html
    assert "you remember" not in stats_html


def test_the_same_cards_recalled_two_days_later_count_as_known(learner, bank):
    questions = _first_ten(bank)
    done = _cram(learner, questions, START)
    later = done + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        before = learner.get(reverse("dashboard")).context["readiness"]
    moment = later
    for question in questions:
        with time_machine.travel(moment, tick=False):
            _post_answer(learner, question, 3)
        moment += timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        response = learner.get(reverse("dashboard"))
        browse = learner.get(reverse("browse") + "?state=known")
    assert sum(s.known for s in response.context["mastery"]) == 10
    assert response.context["readiness"] > before
    assert len(browse.context["questions"]) == 10

    settings = StudySettings.objects.get(user=learner.user)
    medium = [c for c in stats.calibration(learner.user) if c.confidence == 2][0]
    assert (medium.answers, medium.remembered) == (10, 10)  # its first data points
    weeks = stats.true_retention_by_week(learner.user, settings, moment)
    assert sum(n for _, n, _ in weeks) == 10


def test_a_drill_after_cramming_does_not_make_cards_known(learner, bank):
    questions = _first_ten(bank)[:2]
    done = _cram(learner, questions, START)
    with time_machine.travel(done + timedelta(hours=3), tick=False):
        for question in questions:
            _post_answer(learner, question, 4)  # "high" again, the same day
        response = learner.get(reverse("dashboard"))
    assert sum(s.known for s in response.context["mastery"]) == 0


def test_forgetting_a_known_card_makes_it_learning_again_and_undo_restores_it(learner, bank):
    (question,) = _first_ten(bank)[:1]
    done = _cram(learner, [question], START)
    with time_machine.travel(done + timedelta(days=2), tick=False):
        _post_answer(learner, question, 3)
    assert Card.objects.get(user=learner.user, question=question).proven_at is not None
    with time_machine.travel(done + timedelta(days=3), tick=False):
        _post_answer(learner, question, 1)
        assert Card.objects.get(user=learner.user, question=question).proven_at is None
        assert sum(s.known for s in learner.get(reverse("dashboard")).context["mastery"]) == 0
        shown_ms = int((done + timedelta(days=3)).timestamp() * 1000)
        assert learner.post(reverse("undo"), {"shown_at": shown_ms}).status_code == 200
        card = Card.objects.get(user=learner.user, question=question)
    assert card.proven_at == done + timedelta(days=2)


def test_readiness_never_exceeds_the_weighted_share_of_cards_reviewed(learner, bank):
    questions = _first_ten(bank)
    done = _cram(learner, questions, START)
    moment = done + timedelta(days=2)
    for question in questions:
        with time_machine.travel(moment, tick=False):
            _post_answer(learner, question, 4)
    for days in (0, 1, 7, 30):
        rows = readiness.bank_rows(learner.user, moment)
        settings = StudySettings.objects.get(user=learner.user)
        at = moment + timedelta(days=days)
        assert 0 < readiness.readiness(rows, settings, at) <= readiness.reviewed_share(rows)
    assert readiness.reviewed_share(rows) < 1  # 55 of the 65 questions were never seen


def test_readiness_predicts_for_the_interview_day(learner, bank):
    (question,) = _first_ten(bank)[:1]
    done = _cram(learner, [question], START)
    settings = StudySettings.objects.get(user=learner.user)
    rows = readiness.bank_rows(learner.user, done)
    week = readiness.readiness(rows, settings, done)
    settings.interview_date = (done + timedelta(days=30)).date()
    settings.save()
    with time_machine.travel(done, tick=False):
        response = learner.get(reverse("dashboard"))
    assert response.context["readiness"] < week  # 30 days away forgets more than 7
    assert "on your interview day (2 Dec)" in response.content.decode()


def test_the_trend_sentence_appears_from_seven_days_of_history(learner, bank):
    questions = _first_ten(bank)
    done = _cram(learner, questions, START)
    with time_machine.travel(done + timedelta(days=5), tick=False):
        assert learner.get(reverse("dashboard")).context["trend"].sentence is None
    with time_machine.travel(done + timedelta(days=6), tick=False):
        trend = learner.get(reverse("dashboard")).context["trend"]
    assert trend.history_days == 7
    # Cards left alone fade: the same definition at each day says so.
    assert trend.sentence.startswith("Down ") and trend.sentence.endswith(" in 7 days.")


@pytest.mark.parametrize(
    ("zone", "local_time"),
    [("America/Los_Angeles", "29 Nov 2026, 03:30"), ("Asia/Kolkata", "29 Nov 2026, 17:00")],
)
def test_each_learner_sees_a_review_at_their_own_local_time(client, bank, zone, local_time):
    user = make_user(time_zone=zone)
    client.force_login(user)
    client.user = user
    with time_machine.travel(datetime(2026, 11, 29, 11, 30, tzinfo=UTC), tick=False):
        _post_answer(client, bank[0], 3)
        html = client.get(reverse("card", args=[bank[0].pk])).content.decode()
    assert f'<td data-label="When">{local_time}</td>' in html
    assert Review.objects.get(user=user).reviewed_at.hour == 11  # stored in UTC


def _done_today(client, at: datetime) -> str:
    with time_machine.travel(at, tick=False):
        html = client.get(reverse("dashboard")).content.decode()
    return html.split('data-testid="done-count">', 1)[1].split("<", 1)[0]


def test_study_days_turn_at_each_learners_own_4_am(client, bank):
    la, kolkata = make_user(time_zone="America/Los_Angeles"), make_user(time_zone="Asia/Kolkata")
    review_at = datetime(2026, 11, 29, 11, 30, tzinfo=UTC)  # 03:30 in LA, 17:00 in Kolkata
    for user in (la, kolkata):
        client.force_login(user)
        client.user = user
        with time_machine.travel(review_at, tick=False):
            _post_answer(client, bank[0], 3)
    client.force_login(la)
    assert _done_today(client, datetime(2026, 11, 29, 11, 59, tzinfo=UTC)) == "1"  # 03:59 LA
    assert _done_today(client, datetime(2026, 11, 29, 12, 1, tzinfo=UTC)) == "0"  # 04:01 LA
    client.force_login(kolkata)
    assert _done_today(client, datetime(2026, 11, 29, 22, 29, tzinfo=UTC)) == "1"  # 03:59 IST
    assert _done_today(client, datetime(2026, 11, 29, 22, 31, tzinfo=UTC)) == "0"  # 04:01 IST


def test_the_settings_page_shows_and_changes_the_time_zone(client, bank):
    user = make_user(time_zone="Asia/Kolkata")
    client.force_login(user)
    client.user = user
    with time_machine.travel(datetime(2026, 11, 29, 11, 30, tzinfo=UTC), tick=False):
        _post_answer(client, bank[0], 3)
    html = client.get(reverse("settings")).content.decode()
    assert '<option value="Asia/Kolkata" selected>' in html
    response = client.post(
        reverse("settings"),
        {"new_per_day": 10, "review_cap": "", "desired_retention": 0.9, "day_starts_at": 4,
         "time_zone": "America/Los_Angeles", "interview_date": ""},
    )  # fmt: skip
    assert response.status_code == 302
    html = client.get(reverse("card", args=[bank[0].pk])).content.decode()
    assert '<td data-label="When">29 Nov 2026, 03:30</td>' in html


def test_buttons_capped_to_the_same_interval_say_why(learner, bank):
    (question,) = _first_ten(bank)[:1]
    done = _cram(learner, [question], START)
    url = reverse("reveal", args=[question.pk])
    fresh = _first_ten(bank)[1]
    with time_machine.travel(done + timedelta(days=2), tick=False):
        html = learner.get(reverse("reveal", args=[fresh.pk])).content.decode()
        _post_answer(learner, question, 4)
    assert 'data-testid="interval-note"' not in html  # 1m, 6m, 10m, days: nothing to explain
    StudySettings.objects.filter(user=learner.user).update(
        interview_date=(done + timedelta(days=5)).date()
    )
    with time_machine.travel(done + timedelta(days=2, minutes=5), tick=False):
        html = learner.get(url).content.decode()
    assert (
        "Low, medium and high all bring it back in 2d: your interview date caps intervals" in html
    )
