"""Interview readiness: how likely the learner is to recall what an interviewer will ask.

Readiness is the likelihood-weighted mean, over all active questions, of each card's FSRS
retrievability on the interview day (or, without a date ahead, HORIZON_DAYS from now) if the
learner stopped studying now; 0 for a card never studied. Cards still in learning count by what
FSRS predicts for that day, so minutes-old answers (whose momentary recall is 100%) do not
flatter it. A question's weight is 1/√rank: the most likely question (rank 1) counts √N times
as much as the least likely (rank N; about 11 times for a bank of 120), and the weights fall
gently enough that the long tail of the bank still matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery

from . import fixture, knowledge, queue, scheduling
from .models import (
    MY_QUESTIONS,
    Card,
    Question,
    Review,
    StudySettings,
    is_new_card,
    is_studying_card,
)

# Meeting a card this many times before the interview is what the plan aims for: the first
# answer, its learning step the same day, and at least one spaced review on a later day.
PLAN_MEETINGS = 3
# So a card must be met for the first time at least this many days before the interview.
PLAN_LEAD_DAYS = 2
# Without an interview date ahead, readiness predicts recall this many days from now.
HORIZON_DAYS = 7
# The trend's sentence needs at least this many days of study history to mean anything.
TREND_MIN_DAYS = 7


def weight(rank: int) -> float:
    """Return a question's weight in the readiness figure (an own card's rank comes from its
    priority, own_cards.PRIORITY_RANKS; high priority's rank 0 weighs like rank 1)."""
    return 1 / math.sqrt(max(rank, 1))


@dataclass(frozen=True)
class CardRow:
    """One active question with the learner's card for it (state NEW if never studied)."""

    question_id: int
    rank: int
    section: tuple[int, str, str]  # position, key, title
    subsection: tuple[int, str, str]
    state: int
    suspended: bool
    stability: float | None
    last_review: datetime | None
    lapses: int
    proven_at: datetime | None
    # The card as it was at the start of the trend window, from the last review before it.
    stability_then: float | None
    last_review_then: datetime | None

    def memory(self) -> scheduling.Memory:
        return scheduling.Memory(
            state=self.state, stability=self.stability, last_review=self.last_review
        )

    def recall(self, now: datetime) -> float:
        return scheduling.retrievability(self.memory(), now)

    def known(self, settings: StudySettings, now: datetime) -> bool:
        return knowledge.is_known(
            state=self.state,
            proven_at=self.proven_at,
            recall=self.recall(now),
            desired_retention=settings.desired_retention,
        )

    @property
    def is_new(self) -> bool:
        return is_new_card(self.state, self.suspended)

    @property
    def is_studying(self) -> bool:
        return is_studying_card(self.state, self.suspended)


# The learner's own area stands for both section and subsection of own cards placed in it; it
# comes after the bank's sections.
MY_QUESTIONS_PLACE = (2**31 - 1, fixture.MY_QUESTIONS_KEY, MY_QUESTIONS)


def bank_rows(user, window_start: datetime) -> list[CardRow]:
    """Every active question with the learner's card state, in bank order, in one query."""
    earlier = Review.objects.filter(
        user=user, question=OuterRef("pk"), reviewed_at__lt=window_start
    ).order_by("-reviewed_at")
    rows = (
        Question.visible.to(user)
        .active()
        .annotate(
            mine=FilteredRelation("cards", condition=Q(cards__user=user)),
            stability_then=Subquery(earlier.values("stability_after")[:1]),
            last_review_then=Subquery(earlier.values("reviewed_at")[:1]),
        )
        .values_list(
            "pk",
            "rank",
            "subsection__section__position",
            "subsection__section__key",
            "subsection__section__title",
            "subsection__position",
            "subsection__key",
            "subsection__title",
            "mine__state",
            "mine__suspended",
            "mine__stability",
            "mine__last_review",
            "mine__lapses",
            "mine__proven_at",
            "stability_then",
            "last_review_then",
        )  # fmt: skip
        .order_by(
            F("subsection__section__position").asc(nulls_last=True),
            "subsection__position",
            "position",
            "pk",
        )
    )
    return [
        CardRow(
            question_id=row[0],
            rank=row[1],
            section=row[2:5] if row[3] is not None else MY_QUESTIONS_PLACE,
            subsection=row[5:8] if row[6] is not None else MY_QUESTIONS_PLACE,
            state=row[8] or Card.State.NEW,
            suspended=bool(row[9]),
            stability=row[10],
            last_review=row[11],
            lapses=row[12] or 0,
            proven_at=row[13],
            stability_then=row[14],
            last_review_then=row[15],
        )
        for row in rows
    ]


def target_moment(settings: StudySettings, now: datetime) -> datetime:
    """Return the moment readiness predicts for: the interview day if it is still ahead (now,
    on the day itself), otherwise HORIZON_DAYS from now."""
    days_left = queue.days_until_interview(settings, now)
    return now + timedelta(days=HORIZON_DAYS if days_left is None else days_left)


def _weighted_mean(rows: list[CardRow], value) -> float:
    total = sum(weight(r.rank) for r in rows)
    if not total:
        return 0.0
    return sum(weight(r.rank) * value(r) for r in rows) / total


def readiness(rows: list[CardRow], settings: StudySettings, now: datetime) -> float:
    """Return readiness, from 0 to 1: predicted recall at target_moment() if studying stopped."""
    target = target_moment(settings, now)
    return _weighted_mean(rows, lambda r: r.recall(target))


def reviewed_share(rows: list[CardRow]) -> float:
    """Return the likelihood-weighted share of questions answered at least once: readiness can
    never be higher."""
    return _weighted_mean(rows, lambda r: r.state != Card.State.NEW)


@dataclass(frozen=True)
class Trend:
    """Readiness at the end of each past study day, and how many days of history there are."""

    points: list[tuple[date, float]]
    history_days: int  # study days from the first answer to today, today included

    @property
    def sentence(self) -> str | None:
        """Describe the change, or None with fewer than TREND_MIN_DAYS days of history."""
        if self.history_days < TREND_MIN_DAYS:
            return None
        span = min(self.history_days, len(self.points))
        change = round(100 * (self.points[-1][1] - self.points[-span][1]))
        if change == 0:
            return f"Unchanged over {span} days."
        return f"{'Up' if change > 0 else 'Down'} {abs(change)} points in {span} days."


def readiness_trend(
    rows: list[CardRow], user, settings: StudySettings, now: datetime, days: int = 30
) -> Trend:
    """Return readiness, as readiness() defines it, at the end of each of the last `days` study
    days (today: now).

    Past days are recomputed from the review log: a card's state at a moment is the state its
    last review before that moment left it in, and each day predicts for its own target moment.
    """
    today = queue.study_day(now, settings)
    window_start = today.end - timedelta(days=days)
    latest = {
        r.question_id: (r.stability_then, r.last_review_then)
        for r in rows
        if r.last_review_then is not None
    }
    reviews = list(
        Review.objects.filter(
            user=user, question__is_active=True, reviewed_at__gte=window_start, reviewed_at__lte=now
        )
        .order_by("reviewed_at")
        .values_list("question_id", "reviewed_at", "stability_after")
    )
    if latest:
        history_days = days  # answers before the window: at least the whole window
    elif reviews:
        history_days = (today.date - queue.study_day(reviews[0][1], settings).date).days + 1
    else:
        history_days = 0
    weights = {r.question_id: weight(r.rank) for r in rows}
    total = sum(weights.values()) or 1.0
    points, i = [], 0
    for offset in range(days - 1, -1, -1):
        moment = min(now, today.end - timedelta(days=offset))
        target = target_moment(settings, moment)
        while i < len(reviews) and reviews[i][1] <= moment:
            question_id, reviewed_at, stability = reviews[i]
            latest[question_id] = (stability, reviewed_at)
            i += 1
        recall = sum(
            weights[q]
            * scheduling.retrievability(
                scheduling.Memory(state=scheduling.REVIEW, stability=s, last_review=t), target
            )
            for q, (s, t) in latest.items()
            if q in weights and s is not None
        )
        points.append((today.date - timedelta(days=offset), recall / total))
    return Trend(points, history_days)


@dataclass(frozen=True)
class Plan:
    """What it takes to meet every card PLAN_MEETINGS times before the interview."""

    interview_date: date
    days_left: int
    unstudied: int
    new_per_day_needed: int
    predicted_readiness: float


def interview_plan(rows: list[CardRow], settings: StudySettings, now: datetime) -> Plan | None:
    """Return the plan for the learner's interview date, or None without a future date."""
    days_left = queue.days_until_interview(settings, now)
    if days_left is None:
        return None
    unstudied = [r for r in rows if r.is_new]
    introduce_days = max(1, days_left - PLAN_LEAD_DAYS)
    needed = math.ceil(len(unstudied) / introduce_days) if unstudied else 0
    return Plan(
        interview_date=settings.interview_date,
        days_left=days_left,
        unstudied=len(unstudied),
        new_per_day_needed=needed,
        predicted_readiness=_predicted_readiness(rows, settings, now, days_left),
    )


def _predicted_readiness(
    rows: list[CardRow], settings: StudySettings, now: datetime, days_left: int
) -> float:
    """Readiness on the interview date if the learner keeps to the plan.

    Kept to, the plan reviews every studied card when it falls due, and intervals are capped to
    end before the interview, so each studied card is recalled with about the desired retention;
    new cards are met at the daily limit, most likely first; suspended cards just decay.
    """
    total = sum(weight(r.rank) for r in rows)
    if not total:
        return 0.0
    on_the_day = now + timedelta(days=days_left)
    new_slots = settings.new_per_day * max(0, days_left - PLAN_LEAD_DAYS + 1)
    score = 0.0
    for row in sorted(rows, key=lambda r: r.rank):
        if row.suspended:
            score += weight(row.rank) * row.recall(on_the_day)
        elif row.is_studying:
            score += weight(row.rank) * settings.desired_retention
        elif new_slots > 0:
            new_slots -= 1
            score += weight(row.rank) * settings.desired_retention
    return score / total
