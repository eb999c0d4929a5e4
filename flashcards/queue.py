"""Today's queue: cards due now (most overdue first), then new cards by likelihood, then learning
cards that come due later in the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Card, Question, Review, StudySettings

# Like Anki's "learn ahead limit": when nothing else is left, a learning card due within this
# window is shown now rather than making the learner wait for it.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class StudyDay:
    """The learner's current study day, as an interval in UTC."""

    start: datetime
    end: datetime


def study_day(now: datetime, settings: StudySettings) -> StudyDay:
    """Return the study day containing `now` for a learner's time zone and day-start hour."""
    local = now.astimezone(ZoneInfo(settings.time_zone))
    start = local.replace(hour=settings.day_starts_at, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    # Adding a day to a local wall time keeps the day start right across DST changes.
    end = (start.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=start.tzinfo)
    return StudyDay(start=start.astimezone(ZoneInfo("UTC")), end=end.astimezone(ZoneInfo("UTC")))


def _due_filter(now: datetime, day: StudyDay) -> Q:
    # A review card is due for the whole day it falls on; a learning card at its minute.
    return Q(state=Card.State.REVIEW, due__lt=day.end) | Q(
        state__in=[Card.State.LEARNING, Card.State.RELEARNING], due__lte=now
    )


def due_cards(user, now: datetime, day: StudyDay) -> QuerySet[Card]:
    """Cards to review now, most overdue first."""
    return (
        Card.objects.for_user(user)
        .studying()
        .filter(_due_filter(now, day))
        .select_related("question__subsection__section")
        .order_by("due", "question__rank")
    )


def new_cards_seen(user, day: StudyDay) -> int:
    """How many cards the learner met for the first time during this study day."""
    return Review.objects.filter(
        user=user, reviewed_at__gte=day.start, reviewed_at__lt=day.end, state_before=Card.State.NEW
    ).count()


def new_questions(user) -> QuerySet[Question]:
    """Questions the learner has not started, most likely first, with the card's answer count."""
    reps = Card.objects.filter(user=user, question=OuterRef("pk")).values("reps")[:1]
    return (
        Question.objects.unstudied_by(user)
        .select_related("subsection__section")
        .annotate(reps=Coalesce(Subquery(reps), 0))
        .order_by("rank", "id")
    )


@dataclass(frozen=True)
class Today:
    """What is left to study today, and what has been done."""

    due: int
    new: int
    learning_later: int
    done: int
    next_due: datetime | None
    due_tomorrow: int = 0

    @property
    def remaining(self) -> int:
        return self.due + self.new + self.learning_later

    @property
    def total(self) -> int:
        return self.done + self.remaining

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def today(user, settings: StudySettings, now: datetime) -> Today:
    """Count today's queue in three queries, whatever the size of the learner's history."""
    day = study_day(now, settings)
    # Aggregate names must not shadow the `due` column the filters refer to.
    cards = (
        Card.objects.for_user(user)
        .studying()
        .aggregate(
            due_now=Count("id", filter=_due_filter(now, day)),
            learning_later=Count(
                "id",
                filter=Q(
                    state__in=[Card.State.LEARNING, Card.State.RELEARNING],
                    due__gt=now,
                    due__lt=day.end,
                ),
            ),
            next_due=Min("due", filter=~_due_filter(now, day)),
            due_tomorrow=Count(
                "id", filter=Q(due__gte=day.end, due__lt=day.end + timedelta(days=1))
            ),
        )
    )
    reviews = Review.objects.filter(
        user=user, reviewed_at__gte=day.start, reviewed_at__lt=day.end
    ).aggregate(done=Count("id"), new_seen=Count("id", filter=Q(state_before=Card.State.NEW)))
    new_left = max(0, settings.new_per_day - reviews["new_seen"])
    new_available = new_questions(user).count() if new_left else 0
    return Today(
        due=cards["due_now"],
        new=min(new_left, new_available),
        learning_later=cards["learning_later"],
        done=reviews["done"],
        next_due=cards["next_due"],
        due_tomorrow=cards["due_tomorrow"],
    )


@dataclass(frozen=True)
class StudyItem:
    """A question to study, with the learner's answer count and state for its card."""

    question: Question
    reps: int = 0
    state: int = Card.State.NEW


def next_card(user, settings: StudySettings, now: datetime, counts: Today) -> StudyItem | None:
    """Return what to study next, or None when the learner is done for today."""
    day = study_day(now, settings)
    if counts.due:
        card = due_cards(user, now, day).first()
        if card is not None:
            return StudyItem(card.question, card.reps, card.state)
    if counts.new:
        question = new_questions(user).first()
        if question is not None:
            return StudyItem(question, question.reps)
    # No review card is "due ahead": an empty day leaves only learning cards in the window.
    ahead = StudyDay(start=day.start, end=day.start)
    card = due_cards(user, now + LEARN_AHEAD, ahead).first()
    return StudyItem(card.question, card.reps, card.state) if card is not None else None
