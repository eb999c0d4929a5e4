"""Progress figures: plain functions over database aggregates (or over the learner's one row per
question, which is bounded by the size of the bank, never by the length of their history)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from . import knowledge, queue, readiness, scheduling
from .models import Card, Question, Review, StudySettings
from .reviews import LEECH_LAPSES

# --- Mastery map -------------------------------------------------------------------------------


@dataclass
class Mastery:
    """Counts for one section or subsection."""

    key: str
    title: str
    total: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    suspended: int = 0
    known: int = 0
    subsections: list[Mastery] = field(default_factory=list)

    @property
    def known_percent(self) -> int:
        return round(100 * self.known / self.total) if self.total else 0

    def add(self, row: readiness.CardRow, known: bool) -> None:
        self.total += 1
        self.known += known
        if row.suspended:
            self.suspended += 1
        elif row.state == Card.State.NEW:
            self.new += 1
        elif row.state == Card.State.REVIEW:
            self.review += 1
        else:
            self.learning += 1


def mastery_map(
    rows: list[readiness.CardRow], settings: StudySettings, now: datetime
) -> list[Mastery]:
    """Return sections with their subsections, counting known cards as knowledge.py defines them."""
    sections: dict[str, Mastery] = {}
    subsections: dict[str, Mastery] = {}
    for row in rows:  # rows come in bank order
        _, s_key, s_title = row.section
        _, ss_key, ss_title = row.subsection
        if s_key not in sections:
            sections[s_key] = Mastery(s_key, s_title)
        if ss_key not in subsections:
            subsections[ss_key] = Mastery(ss_key, ss_title)
            sections[s_key].subsections.append(subsections[ss_key])
        known = row.known(settings, now)
        sections[s_key].add(row, known)
        subsections[ss_key].add(row, known)
    return list(sections.values())


def weakest(
    rows: list[readiness.CardRow], settings: StudySettings, now: datetime, limit: int = 10
) -> list[int]:
    """Return the question ids of the studied cards not yet known, least likely to be recalled
    first (most lapses first among equals); known cards only fill a list that is short."""
    studied = [r for r in rows if r.is_studying]
    studied.sort(key=lambda r: (r.known(settings, now), round(r.recall(now), 3), -r.lapses, r.rank))
    return [r.question_id for r in studied[:limit]]


def leeches(rows: list[readiness.CardRow]) -> list[int]:
    """Return the question ids of cards forgotten LEECH_LAPSES times or more, not suspended."""
    return [r.question_id for r in rows if r.lapses >= LEECH_LAPSES and not r.suspended]


# --- Activity: heatmap, time per day, streaks ----------------------------------------------


@dataclass(frozen=True)
class Activity:
    reviews_per_day: dict[date, int]
    seconds_per_day: dict[date, int]
    current_streak: int
    longest_streak: int


def activity(user, settings: StudySettings, now: datetime) -> Activity:
    """Reviews and study time per local study day, and streaks, in one grouped query."""
    rows = (
        Review.objects.filter(user=user)
        .annotate(day=queue.StudyDate("reviewed_at", settings))
        .values("day")
        .annotate(n=Count("id"), ms=Sum("duration_ms"))
        .order_by("day")
    )
    per_day = {row["day"]: row["n"] for row in rows}
    seconds = {row["day"]: round((row["ms"] or 0) / 1000) for row in rows}
    current, longest = streaks(set(per_day), queue.study_day(now, settings).date)
    return Activity(per_day, seconds, current, longest)


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """Return (current, longest) runs of consecutive study days.

    The current streak still counts if today has no reviews yet but yesterday had.
    """
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current, day = 0, today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return current, longest


# --- Forecast ----------------------------------------------------------------------------------


def forecast(
    user, settings: StudySettings, now: datetime, days: int = 30
) -> list[tuple[date, int]]:
    """Return how many cards fall due on each of the next `days` study days (overdue: today)."""
    today = queue.study_day(now, settings)
    rows = (
        Card.objects.for_user(user)
        .studying()
        .filter(due__lt=today.end + timedelta(days=days - 1))
        .annotate(day=queue.StudyDate("due", settings))
        .values("day")
        .annotate(n=Count("id"))
    )
    counts = Counter()
    for row in rows:
        counts[max(row["day"], today.date)] += row["n"]
    return [(today.date + timedelta(days=i), counts[today.date + timedelta(days=i)])
            for i in range(days)]  # fmt: skip


# --- Answers, retention, calibration ----------------------------------------------------------


def answers_per_button(user) -> dict[int, int]:
    """Return how many answers each of the four buttons got."""
    counts = dict(
        Review.objects.filter(user=user).values_list("rating").annotate(n=Count("id")).order_by()
    )
    return {rating: counts.get(rating, 0) for rating in scheduling.ANSWERS}


# True retention and calibration mean something only from this many qualifying reviews.
RETENTION_MIN_REVIEWS = 20
CALIBRATION_MIN_ANSWERS = 10


def _after_a_day_away() -> Q:
    """Reviews that came at least knowledge.PROOF_INTERVAL after the card's previous answer."""
    return Q(last_review_before__isnull=False) & Q(
        reviewed_at__gte=F("last_review_before") + knowledge.PROOF_INTERVAL
    )


def true_retention_by_week(
    user, settings: StudySettings, now: datetime, weeks: int = 12
) -> list[tuple[date, int, float | None]]:
    """Return (week start, reviews, share known) for reviews of cards in review state that came
    a day or more after the previous answer (same-day learning steps say nothing of memory)."""
    today = queue.study_day(now, settings).date
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        Review.objects.filter(
            _after_a_day_away(),
            user=user,
            state_before=Card.State.REVIEW,
            reviewed_at__gte=queue.day_start(first, settings),
        )
        .annotate(day=queue.StudyDate("reviewed_at", settings))
        .values("day")
        .annotate(n=Count("id"), known=Count("id", filter=Q(known=True)))
    )
    totals: dict[date, list[int]] = {}
    for row in rows:
        week = row["day"] - timedelta(days=row["day"].weekday())
        if week >= first:
            entry = totals.setdefault(week, [0, 0])
            entry[0] += row["n"]
            entry[1] += row["known"]
    result = []
    for i in range(weeks):
        week = first + timedelta(weeks=i)
        n, known = totals.get(week, (0, 0))
        result.append((week, n, known / n if n else None))
    return result


@dataclass(frozen=True)
class Calibration:
    confidence: int
    label: str
    answers: int  # "knew it" answers at this confidence whose next review came a day or more on
    remembered: int  # of those, how many next reviews were "knew it"

    @property
    def share(self) -> float | None:
        """The share remembered, or None below CALIBRATION_MIN_ANSWERS answers."""
        return self.remembered / self.answers if self.enough else None

    @property
    def enough(self) -> bool:
        return self.answers >= CALIBRATION_MIN_ANSWERS


# What each confidence level claims, for comparison: the desired retention is the scheduler's
# target, so "medium" sits there; low and high sit evenly below and above it.
IDEAL = {1: 0.70, 2: 0.90, 3: 0.97}
CONFIDENCE_WORDS = {1: "unsure", 2: "fairly sure", 3: "sure"}


def _with_next_known(user):
    """The learner's "knew it" answers with the card's next answer, when that next answer came
    a day or more later (a same-day re-review tests nothing the confidence claimed)."""
    following = Review.objects.filter(
        card=OuterRef("card"), reviewed_at__gt=OuterRef("reviewed_at")
    ).order_by("reviewed_at", "pk")
    return (
        Review.objects.filter(user=user, known=True)
        .annotate(
            next_known=Subquery(following.values("known")[:1]),
            next_at=Subquery(following.values("reviewed_at")[:1]),
        )
        .filter(next_at__gte=F("reviewed_at") + knowledge.PROOF_INTERVAL)
    )


def calibration(user) -> list[Calibration]:
    """For each confidence level, the share of the card's next reviews, a day or more later,
    that were known."""
    rows = {
        row["confidence"]: row
        for row in _with_next_known(user)
        .filter(next_known__isnull=False)
        .values("confidence")
        .annotate(n=Count("id"), remembered=Count("id", filter=Q(next_known=True)))
        .order_by()
    }
    return [
        Calibration(level, label, rows.get(level, {}).get("n", 0),
                    rows.get(level, {}).get("remembered", 0))
        for level, label in Review.Confidence.choices
    ]  # fmt: skip


def overconfident_questions(user, limit: int = 10) -> QuerySet[Question]:
    """Questions answered with high confidence and then forgotten at the next review."""
    forgotten = _with_next_known(user).filter(confidence=Review.Confidence.HIGH, next_known=False)
    return (
        Question.visible.to(user)
        .filter(pk__in=forgotten.values("question_id"))
        .order_by("rank")[:limit]
    )
