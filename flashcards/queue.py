"""Today's queue: cards due now (most overdue first), then new cards by likelihood, then learning
cards that come due later in the session. A session may be scoped to part of the bank."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    Review,
    Section,
    StudySettings,
    Subsection,
)
from .sql import Rows, select_list

# Like Anki's "learn ahead limit": when nothing else is left, a learning card due within this
# window is shown now rather than making the learner wait for it.
LEARN_AHEAD = timedelta(minutes=20)
# Once today's queue is empty, the learner may review the cards due in this many days ahead.
AHEAD_DAYS = 3
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
    """A session restricted to part of the bank: a section, a subsection, a tag, the learner's
    own cards or a drill list."""

    kind: str  # "section", "subsection", "tag", "mine" (own cards), "weakest", "ahead" or SEARCH
    key: str
    label: str
    question_ids: tuple[int, ...] = field(default=())  # a drill's list, a search's results
    since: datetime | None = None  # a drill skips the cards answered since it started

    @property
    def param(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class Left:
    """The counters on the study screen: cards left today, by what each card was when the study
    day began (a card missed today stays in its own counter until it leaves today's queue), so
    answering never raises any of them."""

    new: int = 0
    learning: int = 0
    review: int = 0


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
    left: Left = field(default_factory=Left)
    last_missed: int | None = None  # the question just answered "Didn't know", if the last was
    ahead: int = 0  # review cards due in the next few days, to review ahead once done

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
# A buried card is out of the queue until the next study day (nothing else about it changes).
_UNBURIED = "(c.buried_until IS NULL OR c.buried_until <= %(at)s)"
_STUDYING = f"{STUDYING_CARD_SQL} AND {_UNBURIED}"  # a card in the learner's reviews
_NEW = f"(c.id IS NULL OR ({NEW_CARD_SQL} AND {_UNBURIED}))"  # a new card to offer
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
    "tag": (
        " JOIN flashcards_tagging tg ON tg.question_id = q.id"
        " JOIN flashcards_tag t ON t.id = tg.tag_id AND t.user_id = %(user)s",
        " AND t.name = %(key)s",
    ),
    # The learner's own area: own cards not placed under a bank subsection.
    "mine": ("", " AND q.owner_id = %(user)s AND q.subsection_id IS NULL"),
}
# The bank and the learner's own cards, never another learner's (models.Question.visible).
_VISIBLE = "q.is_active AND (q.owner_id IS NULL OR q.owner_id = %(user)s)"
# A search's results, studied like a filtered deck: due and new cards among them, no daily limit.
SEARCH = "search"


def _scope_sql(scope: Scope | None) -> tuple[str, str]:
    """The join and condition that keep a statement to the scope's questions."""
    if scope is not None and scope.kind == SEARCH:
        # Inlined: ids read from the database, written as integers (never the learner's text).
        ids = ", ".join(str(int(pk)) for pk in scope.question_ids) or "NULL"
        return "", f" AND q.id IN ({ids})"
    return _SCOPES[scope.kind if scope else None]


# A card's state before its first answer of the study day (NULL if not answered today).
_FIRST_TODAY = (
    "(SELECT r.state_before FROM flashcards_review r WHERE r.card_id = c.id"
    " AND r.reviewed_at >= %(day_start)s AND r.reviewed_at < %(day_end)s"
    " ORDER BY r.reviewed_at, r.id LIMIT 1)"
)
_LEFT_TODAY = f"{_STUDYING} AND c.due < %(day_end)s"
# Review ahead: review cards due in the next few days, not already answered today.
_AHEAD = (
    f"{_STUDYING} AND c.state = 2 AND c.due >= %(day_end)s AND c.due < %(ahead_end)s"
    " AND c.last_review < %(day_start)s"
)


def _counts_sql(scope: Scope | None) -> str:
    join, where = _scope_sql(scope)
    # One pass over the bank with the learner's cards (a new card is one with no row, or a row
    # still new and not suspended) and one over today's reviews, counted per condition. Cards
    # left today also carry their state at their first answer today (few rows: index lookups).
    bank = (
        f"FROM (SELECT c.id, c.state, c.due, c.suspended, c.buried_until, c.last_review,"
        f" CASE WHEN {_LEFT_TODAY} THEN {_FIRST_TODAY} END AS first_state"
        " FROM flashcards_question q LEFT JOIN flashcards_card c"
        f" ON c.question_id = q.id AND c.user_id = %(user)s{join} WHERE {_VISIBLE}{where}) c"
    )
    origin = "COALESCE(c.first_state, c.state)"
    # Today's reviews need their questions only to tell which part of the bank they were in.
    questions = f" JOIN flashcards_question q ON q.id = r.question_id{join}" if scope else ""
    reviews = (
        f"FROM flashcards_review r{questions} "
        f"WHERE r.user_id = %(user)s AND r.reviewed_at >= %(day_start)s "
        f"AND r.reviewed_at < %(day_end)s{where}"
    )
    return f"""SELECT bank.*, reviews.*, ({_LAST_MISSED}) FROM (SELECT
        COUNT(*) FILTER (WHERE {_STUDYING} AND {_DUE}),
        COUNT(*) FILTER (WHERE {_STUDYING} AND c.state IN (1, 3)
                         AND c.due > %(now)s AND c.due < %(day_end)s),
        COUNT(*) FILTER (WHERE {_STUDYING} AND c.due >= %(day_end)s AND c.due < %(tomorrow_end)s),
        MIN(c.due) FILTER (WHERE {_STUDYING} AND NOT {_DUE}),
        COUNT(*) FILTER (WHERE {_NEW}),
        COUNT(*) FILTER (WHERE {_LEFT_TODAY} AND {origin} = 0),
        COUNT(*) FILTER (WHERE {_LEFT_TODAY} AND {origin} IN (1, 3)),
        COUNT(*) FILTER (WHERE {_LEFT_TODAY} AND c.state = 2 AND c.first_state IS NULL),
        COUNT(*) FILTER (WHERE {_LEFT_TODAY} AND c.first_state = 2),
        COUNT(*) FILTER (WHERE {_AHEAD})
      {bank}) bank,
      (SELECT COUNT(*), COUNT(*) FILTER (WHERE r.state_before = 0) {reviews}) reviews"""


# The question of the learner's latest answer today, if it was "Didn't know" in a study session.
_LAST_MISSED = (
    "SELECT CASE WHEN r.rating = 1 AND r.source = 'study' THEN r.question_id END"
    " FROM flashcards_review r WHERE r.user_id = %(user)s AND r.reviewed_at >= %(day_start)s"
    " AND r.reviewed_at < %(day_end)s ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1"
)


def _moment(value) -> datetime | None:
    """A timestamp read outside the ORM: SQLite returns text, naive in UTC."""
    if value is not None and not isinstance(value, datetime):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def new_per_day(settings: StudySettings, day: StudyDay) -> int:
    """Today's new-card limit: the setting, plus any "learn N more" asked for today."""
    extra = settings.extra_new if settings.extra_new_day == day.date else 0
    return settings.new_per_day + extra


def today(user, settings: StudySettings, now: datetime, scope: Scope | None = None) -> Today:
    """Count today's queue in one query, whatever the size of the learner's history.

    A scoped session (Study this) is an explicit request, so the daily new-card limit and the
    review cap do not apply to it.
    """
    day = study_day(now, settings)
    if scope is not None and scope.kind == "weakest":
        return _drill_today(user, scope, now)
    if scope is not None and scope.kind == "ahead":
        return _ahead_today(user, day, now)
    moment = connection.ops.adapt_datetimefield_value
    params = {
        "user": user.pk,
        "now": moment(now),
        "at": moment(now),
        "day_start": moment(day.start),
        "day_end": moment(day.end),
        "tomorrow_end": moment(day.end + timedelta(days=1)),
        "ahead_end": moment(day.end + timedelta(days=AHEAD_DAYS)),
        "key": scope.key if scope else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(scope), params)
        (due, later, tomorrow, next_due, new_available, new_again, learning, review_fresh,
         review_again, ahead, done, new_seen, last_missed) = cursor.fetchone()  # fmt: skip
    held_back, new_left = False, None
    if scope is None:
        new_left = max(0, new_per_day(settings, day) - new_seen)
        if settings.review_cap is not None:
            reviews_left = max(0, settings.review_cap - (done - new_seen))
            held_back = due > reviews_left
            due = min(due, reviews_left)
            review_fresh = min(review_fresh, reviews_left)
            new_left = 0 if held_back else new_left
    new = new_available if new_left is None else min(new_left, new_available)
    return Today(
        due=due,
        new=new,
        learning_later=later,
        done=done,
        next_due=_moment(next_due),
        due_tomorrow=tomorrow,
        held_back=held_back,
        left=Left(new=new + new_again, learning=learning, review=review_fresh + review_again),
        last_missed=last_missed,
        ahead=ahead,
    )


@dataclass(frozen=True)
class StudyItem:
    """A question to study, with the learner's answer count and state for its card."""

    question: Question
    reps: int = 0
    state: int = Card.State.NEW
    seen_version: int = 0
    again: bool = False  # missed a moment ago, and nothing else is left to show first

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
        " LEFT JOIN flashcards_subsection ss ON ss.id = q.subsection_id"
        " LEFT JOIN flashcards_section s ON s.id = ss.section_id"
        " LEFT JOIN flashcards_card c ON c.question_id = q.id AND c.user_id = %(user)s"
    )


def _next_due_sql(scope: Scope | None, due: str = _DUE) -> str:
    """The most overdue card meeting `due` (today's due cards, or learning cards ahead), other
    than the one to avoid."""
    join, where = _scope_sql(scope)
    return _study_sql(
        f"SELECT q.id FROM flashcards_card c JOIN flashcards_question q ON q.id = c.question_id"
        f"{join} WHERE c.user_id = %(user)s AND {_VISIBLE} AND {_STUDYING} AND {due}{where}"
        " AND q.id <> %(avoid)s ORDER BY c.due, q.rank LIMIT 1"
    )


def _next_new_sql(scope: Scope | None) -> str:
    """The most likely question the learner has not started (no card, or a new one)."""
    join, where = _scope_sql(scope)
    return _study_sql(
        f"SELECT q.id FROM flashcards_question q{join} WHERE {_VISIBLE}{where}"
        " AND NOT EXISTS (SELECT 1 FROM flashcards_card c WHERE c.question_id = q.id"
        " AND c.user_id = %(user)s AND NOT "
        f"{_NEW})"
        " ORDER BY q.rank, q.id LIMIT 1"
    )


_ONE_QUESTION = _study_sql(
    f"SELECT q.id FROM flashcards_question q WHERE q.id = %(question)s AND {_VISIBLE}"
)


def _question_and_card(sql: str, params: dict) -> tuple[Question, Card | None] | None:
    """Run a study statement: its question (with subsection and section) and the learner's card."""
    rows = Rows(sql, params)
    if not rows:
        return None
    question = rows.instance(Question)
    question.subsection = rows.instance(Subsection, "ss_")  # None: in "My questions"
    if question.subsection is not None:
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
    """Return what to study next, or None when the learner is done for today.

    A card just answered "Didn't know" waits while any other card is due now or within the
    learn-ahead window; when it is the only one left, it comes back marked `again`.
    """
    day = study_day(now, settings)
    if scope is not None and scope.kind == "weakest":
        return _next_drill_card(user, scope, now)
    if scope is not None and scope.kind == "ahead":
        return _next_ahead_card(user, day, now)
    moment = connection.ops.adapt_datetimefield_value
    avoid = counts.last_missed or 0
    params = {"user": user.pk, "key": scope.key if scope else None, "at": moment(now)}
    due = {"now": moment(now), "day_end": moment(day.end), "avoid": avoid}
    if counts.due and (item := _item(_question_and_card(_next_due_sql(scope), {**params, **due}))):
        return item
    if counts.new and (item := _item(_question_and_card(_next_new_sql(scope), params))):
        # A new card shows as new even if it was studied before and reset.
        return StudyItem(item.question, item.reps)
    # Only learning cards are shown ahead of time: a review card waits for its day, and one held
    # back by the review cap waits for the next.
    ahead = {"now": moment(now + LEARN_AHEAD), "avoid": avoid}
    if item := _item(_question_and_card(_next_due_sql(scope, _LEARNING_DUE), {**params, **ahead})):
        return item
    if not avoid:
        return None
    # Nothing else is left: the card just missed comes back, said as such.
    for sql, window in ((_next_due_sql(scope), due), (_next_due_sql(scope, _LEARNING_DUE), ahead)):
        if item := _item(_question_and_card(sql, {**params, **window, "avoid": 0})):
            return replace(item, again=True)
    return None


def _drill_cards(user, scope: Scope, now: datetime) -> QuerySet[Card]:
    return (
        Card.objects.for_user(user)
        .filter(question_id__in=scope.question_ids, suspended=False)
        .exclude(last_review__gte=scope.since)
        .exclude(buried_until__gt=now)
    )


def _drill_today(user, scope: Scope, now: datetime) -> Today:
    left = _drill_cards(user, scope, now).count()
    return Today(
        due=left,
        new=0,
        learning_later=0,
        done=len(scope.question_ids) - left,
        next_due=None,
        left=Left(review=left),
    )


def _next_drill_card(user, scope: Scope, now: datetime) -> StudyItem | None:
    # A drill goes through its list in order, whatever is due: the learner asked for these.
    cards = {
        c.question_id: c
        for c in _drill_cards(user, scope, now).select_related("question__subsection__section")
    }
    for question_id in scope.question_ids:
        if question_id in cards:
            return StudyItem.of(cards[question_id].question, cards[question_id])
    return None


# Review ahead: once today's queue is empty, the review cards coming due in the next few days,
# most due first. Answered early, FSRS schedules them from the days actually elapsed (an early
# review counts for less). A card answered today is not offered again.
AHEAD = Scope("ahead", "next-days", f"Review ahead (due in the next {AHEAD_DAYS} days)")


def _ahead_cards(user, day: StudyDay, now: datetime) -> QuerySet[Card]:
    return (
        Card.objects.for_user(user)
        .studying()
        .filter(state=Card.State.REVIEW, due__gte=day.end)
        .filter(due__lt=day.end + timedelta(days=AHEAD_DAYS), last_review__lt=day.start)
        .exclude(buried_until__gt=now)
    )


def _ahead_today(user, day: StudyDay, now: datetime) -> Today:
    left = _ahead_cards(user, day, now).count()
    done = Review.objects.filter(user=user, reviewed_at__gte=day.start, reviewed_at__lt=day.end)
    return Today(
        due=left,
        new=0,
        learning_later=0,
        done=done.count(),
        next_due=None,
        left=Left(review=left),
    )


def _next_ahead_card(user, day: StudyDay, now: datetime) -> StudyItem | None:
    card = (
        _ahead_cards(user, day, now)
        .select_related("question__subsection__section")
        .order_by("due", "question__rank")
        .first()
    )
    return StudyItem.of(card.question, card) if card else None
