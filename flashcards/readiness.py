"""Interview readiness: how likely the learner is to recall what an interviewer will ask.

Readiness is the likelihood-weighted mean, over all active questions, of each card's FSRS
retrievability (its probability of recall now; 0 for a card never studied). A question's weight
is 1/√rank: the most likely question (rank 1) counts √N times as much as the least likely (rank N;
about 11 times for a bank of 120), and the weights fall gently enough that the long tail of the
bank still matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import FilteredRelation, OuterRef, Q, Subquery

from . import queue, scheduling
from .models import Card, Question, Review, StudySettings, is_new_card, is_studying_card

# Meeting a card this many times before the interview is what the plan aims for: the first
# answer, its learning step the same day, and at least one spaced review on a later day.
PLAN_MEETINGS = 3
# So a card must be met for the first time at least this many days before the interview.
PLAN_LEAD_DAYS = 2


def weight(rank: int) -> float:
    """Return a question's weight in the readiness figure."""
    return 1 / math.sqrt(rank)


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
    # The card as it was at the start of the trend window, from the last review before it.
    stability_then: float | None
    last_review_then: datetime | None

    def memory(self) -> scheduling.Memory:
        return scheduling.Memory(
            state=self.state, stability=self.stability, last_review=self.last_review
        )

    def recall(self, now: datetime) -> float:
        return scheduling.retrievability(self.memory(), now)

    @property
    def is_new(self) -> bool:
        return is_new_card(self.state, self.suspended)

    @property
    def is_studying(self) -> bool:
        return is_studying_card(self.state, self.suspended)


def bank_rows(user, window_start: datetime) -> list[CardRow]:
    """Every active question with the learner's card state, in bank order, in one query."""
    earlier = Review.objects.filter(
        user=user, question=OuterRef("pk"), reviewed_at__lt=window_start
    ).order_by("-reviewed_at")
    rows = (
        Question.objects.active()
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
            "stability_then",
            "last_review_then",
        )  # fmt: skip
        .order_by("subsection__section__position", "subsection__position", "position")
    )
    return [
        CardRow(
            question_id=row[0],
            rank=row[1],
            section=row[2:5],
            subsection=row[5:8],
            state=row[8] or Card.State.NEW,
            suspended=bool(row[9]),
            stability=row[10],
            last_review=row[11],
            lapses=row[12] or 0,
            stability_then=row[13],
            last_review_then=row[14],
        )
        for row in rows
    ]


def readiness(rows: list[CardRow], now: datetime) -> float:
    """Return readiness now, from 0 to 1."""
    total = sum(weight(r.rank) for r in rows)
    if not total:
        return 0.0
    return sum(weight(r.rank) * r.recall(now) for r in rows) / total


def readiness_trend(
    rows: list[CardRow], user, settings: StudySettings, now: datetime, days: int = 30
) -> list[tuple[date, float]]:
    """Return readiness at the end of each of the last `days` study days (today: now).

    Past days are recomputed from the review log: a card's state at a moment is the state its
    last review before that moment left it in.
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
    weights = {r.question_id: weight(r.rank) for r in rows}
    total = sum(weights.values()) or 1.0
    trend, i = [], 0
    for offset in range(days - 1, -1, -1):
        moment = min(now, today.end - timedelta(days=offset))
        while i < len(reviews) and reviews[i][1] <= moment:
            question_id, reviewed_at, stability = reviews[i]
            latest[question_id] = (stability, reviewed_at)
            i += 1
        recall = sum(
            weights[q]
            * scheduling.retrievability(
                scheduling.Memory(state=scheduling.REVIEW, stability=s, last_review=t), moment
            )
            for q, (s, t) in latest.items()
            if q in weights and s is not None
        )
        trend.append((today.date - timedelta(days=offset), recall / total))
    return trend


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
