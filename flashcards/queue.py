"""Today's queue: cards due now (most overdue first), then new cards by likelihood, then learning
cards that come due later in the session. A session may be scoped to part of the bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import DateField, Func, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import (
    NEW_CARD_SQL,
    STUDYING_CARD_SQL,
    Card,
    Question,
    Section,
    StudySettings,
    Subsection,
)
from .sql import Rows, select_list

# Like Anki's "learn ahead limit": when nothing else is left, a learning card due within this
# window is shown now rather than making the learner wait for it.
LEARN_AHEAD = timedelta(minutes=20)
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class StudyDay:
    """The learner's current study day, as an interval in UTC, and its local date."""

    start: datetime
    end: datetime
    date: date


# The one rule for study days, in Python (study_day) and in SQL (StudyDate): a study day is
# dated by the learner's local wall time minus the day-start hour, so it starts at that hour of
# local time whatever the offset from UTC that day (DST changes included).


def day_start(day: date, settings: StudySettings) -> datetime:
    """Return the moment (UTC) the study day dated `day` starts."""
    local = datetime.combine(day, time(settings.day_starts_at), ZoneInfo(settings.time_zone))
    return local.astimezone(UTC)


def study_day(now: datetime, settings: StudySettings) -> StudyDay:
    """Return the study day containing `now` for a learner's time zone and day-start hour."""
    local = now.astimezone(ZoneInfo(settings.time_zone))
    day = (local - timedelta(hours=settings.day_starts_at)).date()  # wall-time arithmetic
    return StudyDay(
        start=day_start(day, settings), end=day_start(day + timedelta(days=1), settings), date=day
    )


def days_until_interview(settings: StudySettings, now: datetime) -> int | None:
    """Study days from today to the learner's interview (0 on the day itself); None without a
    date or once it has passed."""
    if settings.interview_date is None:
        return None
    days = (settings.interview_date - study_day(now, settings).date).days
    return days if days >= 0 else None


class StudyDate(Func):
    """SQL for `study_day(moment).date` of a timestamp column: group reviews or due dates by the
    learner's study day in the database."""

    output_field = DateField()

    def __init__(self, expression, settings: StudySettings):
        super().__init__(expression)
        self.time_zone, self.hours = settings.time_zone, int(settings.day_starts_at)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # The local wall time, to the second (Django's own time-zone conversion per backend).
        local, params = connection.ops.datetime_trunc_sql(
            "second", sql, tuple(params), self.time_zone
        )
        if connection.vendor == "sqlite":
            return f"date({local}, '-{self.hours} hours')", params
        return f"CAST(({local}) - INTERVAL '{self.hours} hours' AS date)", params


@dataclass(frozen=True)
class Scope:
    """A session restricted to part of the bank: a section, a subsection or a drill list."""

    kind: str  # "section", "subsection" or "weakest"
    key: str
    label: str
    question_ids: tuple[int, ...] = field(default=())
    since: datetime | None = None  # a drill skips the cards answered since it started

    @property
    def param(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class Today:
    """What is left to study today, and what has been done."""

    due: int
    new: int
    learning_later: int
    done: int
    next_due: datetime | None
    due_tomorrow: int = 0
    held_back: bool = False

    @property
    def remaining(self) -> int:
        return self.due + self.new + self.learning_later

    @property
    def total(self) -> int:
        return self.done + self.remaining

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


# Today's counts are read on every study request. Written once as SQL with parameters, they cost
# one round trip and no query building (the ORM spent ~7 ms composing the same statement).
_STUDYING = STUDYING_CARD_SQL
_DUE = "((c.state = 2 AND c.due < %(day_end)s) OR (c.state IN (1, 3) AND c.due <= %(now)s))"
_LEARNING_DUE = "c.state IN (1, 3) AND c.due <= %(now)s"  # learning cards only: never a review
_SCOPES = {
    None: ("", ""),
    "section": (
        " JOIN flashcards_subsection ss ON ss.id = q.subsection_id"
        " JOIN flashcards_section s ON s.id = ss.section_id",
        " AND s.key = %(key)s",
    ),
    "subsection": (
        " JOIN flashcards_subsection ss ON ss.id = q.subsection_id",
        " AND ss.key = %(key)s",
    ),
}


def _counts_sql(kind: str | None) -> str:
    join, where = _SCOPES[kind]
    # One pass over the bank with the learner's cards (a new card is one with no row, or a row
    # still new and not suspended) and one over today's reviews, counted per condition.
    bank = (
        "FROM flashcards_question q LEFT JOIN flashcards_card c"
        f" ON c.question_id = q.id AND c.user_id = %(user)s{join} WHERE q.is_active{where}"
    )
    # Today's reviews need their questions only to tell which part of the bank they were in.
    questions = f" JOIN flashcards_question q ON q.id = r.question_id{join}" if kind else ""
    reviews = (
        f"FROM flashcards_review r{questions} "
        f"WHERE r.user_id = %(user)s AND r.reviewed_at >= %(day_start)s "
        f"AND r.reviewed_at < %(day_end)s{where}"
    )
    return f"""SELECT bank.*, reviews.* FROM (SELECT
        COUNT(*) FILTER (WHERE {_STUDYING} AND {_DUE}),
        COUNT(*) FILTER (WHERE {_STUDYING} AND c.state IN (1, 3)
                         AND c.due > %(now)s AND c.due < %(day_end)s),
        COUNT(*) FILTER (WHERE {_STUDYING} AND c.due >= %(day_end)s AND c.due < %(tomorrow_end)s),
        MIN(c.due) FILTER (WHERE {_STUDYING} AND NOT {_DUE}),
        COUNT(*) FILTER (WHERE c.id IS NULL OR {NEW_CARD_SQL})
      {bank}) bank,
      (SELECT COUNT(*), COUNT(*) FILTER (WHERE r.state_before = 0) {reviews}) reviews"""


def _moment(value) -> datetime | None:
    """A timestamp read outside the ORM: SQLite returns text, naive in UTC."""
    if value is not None and not isinstance(value, datetime):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def today(user, settings: StudySettings, now: datetime, scope: Scope | None = None) -> Today:
    """Count today's queue in one query, whatever the size of the learner's history.

    A scoped session (Study this) is an explicit request, so the daily new-card limit and the
    review cap do not apply to it.
    """
    day = study_day(now, settings)
    if scope is not None and scope.kind == "weakest":
        return _drill_today(user, scope)
    moment = connection.ops.adapt_datetimefield_value
    params = {
        "user": user.pk,
        "now": moment(now),
        "day_start": moment(day.start),
        "day_end": moment(day.end),
        "tomorrow_end": moment(day.end + timedelta(days=1)),
        "key": scope.key if scope else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(scope.kind if scope else None), params)
        due, later, tomorrow, next_due, new_available, done, new_seen = cursor.fetchone()
    held_back, new_left = False, None
    if scope is None:
        new_left = max(0, settings.new_per_day - new_seen)
        if settings.review_cap is not None:
            reviews_left = max(0, settings.review_cap - (done - new_seen))
            held_back = due > reviews_left
            due = min(due, reviews_left)
            new_left = 0 if held_back else new_left
    return Today(
        due=due,
        new=new_available if new_left is None else min(new_left, new_available),
        learning_later=later,
        done=done,
        next_due=_moment(next_due),
        due_tomorrow=tomorrow,
        held_back=held_back,
    )


@dataclass(frozen=True)
class StudyItem:
    """A question to study, with the learner's answer count and state for its card."""

    question: Question
    reps: int = 0
    state: int = Card.State.NEW
    seen_version: int = 0

    @classmethod
    def of(cls, question: Question, card: Card | None) -> StudyItem:
        """The item for a question and the learner's card (None: never studied)."""
        if card is None:
            return cls(question)
        return cls(question, card.reps, card.state, card.seen_version)

    @property
    def updated(self) -> bool:
        """Whether the question changed since the learner last answered it."""
        return 0 < self.seen_version < self.question.version


# The study screen's questions are read with hand-written SQL as well: one of these runs on every
# answer, and the ORM spent longer composing them (select_related over three tables, a filtered
# join to the learner's card) than PostgreSQL spent running them. Each picks one question id
# (narrow rows, the same conditions as the counts above), then reads that question with its
# subsection and section, and the learner's card if there is one.
_STUDY_COLUMNS = ", ".join([
    select_list(Question, "q"),
    select_list(Subsection, "ss", "ss_"),
    select_list(Section, "s", "s_"),
    select_list(Card, "c", "c_"),
])  # fmt: skip


def _study_sql(pick: str) -> str:
    return (
        f"SELECT {_STUDY_COLUMNS} FROM ({pick}) pick"
        " JOIN flashcards_question q ON q.id = pick.id"
        " JOIN flashcards_subsection ss ON ss.id = q.subsection_id"
        " JOIN flashcards_section s ON s.id = ss.section_id"
        " LEFT JOIN flashcards_card c ON c.question_id = q.id AND c.user_id = %(user)s"
    )


def _next_due_sql(kind: str | None, due: str = _DUE) -> str:
    """The most overdue card meeting `due` (today's due cards, or learning cards ahead)."""
    join, where = _SCOPES[kind]
    return _study_sql(
        f"SELECT q.id FROM flashcards_card c JOIN flashcards_question q ON q.id = c.question_id"
        f"{join} WHERE c.user_id = %(user)s AND q.is_active AND {_STUDYING} AND {due}{where}"
        " ORDER BY c.due, q.rank LIMIT 1"
    )


def _next_new_sql(kind: str | None) -> str:
    """The most likely question the learner has not started (no card, or a new one)."""
    join, where = _SCOPES[kind]
    return _study_sql(
        f"SELECT q.id FROM flashcards_question q{join} WHERE q.is_active{where}"
        " AND NOT EXISTS (SELECT 1 FROM flashcards_card c WHERE c.question_id = q.id"
        f" AND c.user_id = %(user)s AND NOT {NEW_CARD_SQL})"
        " ORDER BY q.rank, q.id LIMIT 1"
    )


_ONE_QUESTION = _study_sql(
    "SELECT id FROM flashcards_question WHERE id = %(question)s AND is_active"
)


def _question_and_card(sql: str, params: dict) -> tuple[Question, Card | None] | None:
    """Run a study statement: its question (with subsection and section) and the learner's card."""
    rows = Rows(sql, params)
    if not rows:
        return None
    question = rows.instance(Question)
    question.subsection = rows.instance(Subsection, "ss_")
    question.subsection.section = rows.instance(Section, "s_")
    return question, rows.instance(Card, "c_")


def question_with_card(user, question_id: int) -> tuple[Question, Card | None] | None:
    """An active question with its subsection and section, and the learner's card (None if they
    have none); None if there is no such active question."""
    return _question_and_card(_ONE_QUESTION, {"user": user.pk, "question": question_id})


def _item(found: tuple[Question, Card | None] | None) -> StudyItem | None:
    return StudyItem.of(*found) if found is not None else None


def next_card(
    user, settings: StudySettings, now: datetime, counts: Today, scope: Scope | None = None
) -> StudyItem | None:
    """Return what to study next, or None when the learner is done for today."""
    day = study_day(now, settings)
    if scope is not None and scope.kind == "weakest":
        return _next_drill_card(user, scope)
    kind = scope.kind if scope else None
    moment = connection.ops.adapt_datetimefield_value
    params = {"user": user.pk, "key": scope.key if scope else None}
    if counts.due:
        due = {"now": moment(now), "day_end": moment(day.end)}
        if item := _item(_question_and_card(_next_due_sql(kind), {**params, **due})):
            return item
    if counts.new and (item := _item(_question_and_card(_next_new_sql(kind), params))):
        # A new card shows as new even if it was studied before and reset.
        return StudyItem(item.question, item.reps)
    # Only learning cards are shown ahead of time: a review card waits for its day, and one held
    # back by the review cap waits for the next.
    ahead = {"now": moment(now + LEARN_AHEAD)}
    return _item(_question_and_card(_next_due_sql(kind, _LEARNING_DUE), {**params, **ahead}))


def _drill_cards(user, scope: Scope) -> QuerySet[Card]:
    return (
        Card.objects.for_user(user)
        .filter(question_id__in=scope.question_ids, suspended=False)
        .exclude(last_review__gte=scope.since)
    )


def _drill_today(user, scope: Scope) -> Today:
    left = _drill_cards(user, scope).count()
    return Today(
        due=left, new=0, learning_later=0, done=len(scope.question_ids) - left, next_due=None
    )


def _next_drill_card(user, scope: Scope) -> StudyItem | None:
    # A drill goes through its list in order, whatever is due: the learner asked for these.
    cards = {
        c.question_id: c
        for c in _drill_cards(user, scope).select_related("question__subsection__section")
    }
    for question_id in scope.question_ids:
        if question_id in cards:
            return StudyItem.of(cards[question_id].question, cards[question_id])
    return None
