"""Changing a learner's cards: answering (the transaction, the row lock, the log), undoing,
suspending, resetting and marking as known."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from . import knowledge, queue, scheduling
from .models import Card, Question, Review, StudySettings
from .sql import Rows

LEECH_LAPSES = 8


class AnswerRejected(Exception):
    """The answer cannot be applied; the message says why."""


class QuestionNotFound(AnswerRejected):
    """The question does not exist or is no longer in the bank."""


class DuplicateAnswer(AnswerRejected):
    """The card has moved on since the learner saw it: this answer was already applied."""


class NothingToUndo(Exception):
    """There is no answer from today's study day left to undo."""


def study_settings_for(user) -> StudySettings:
    """Return the learner's settings, creating the defaults on first use.

    Read through the user object, so the page's theme (a context processor) reuses the row.
    """
    try:
        return user.study_settings
    except StudySettings.DoesNotExist:
        settings, _ = StudySettings.objects.get_or_create(user=user)
        user.study_settings = settings
        return settings


def policy_for(settings: StudySettings, now: datetime) -> scheduling.Policy:
    """Return the scheduling policy: the learner's retention, and intervals that end before
    their interview (so every studied card comes due again before it)."""
    maximum_interval = scheduling.Policy.maximum_interval
    days_left = queue.days_until_interview(settings, now)
    if days_left:  # on the day itself, and after it, intervals are back to normal
        maximum_interval = max(1, days_left - 1)
    return scheduling.Policy(
        desired_retention=settings.desired_retention,
        maximum_interval=maximum_interval,
        fuzzing=django_settings.FSRS_ENABLE_FUZZING,
    )


def memory_of(card: Card | None) -> scheduling.Memory:
    """Return a card row's scheduling state (a new card if there is no row)."""
    return scheduling.memory_from(card) if card is not None else scheduling.Memory()


def fuzz_seed(user_id: int, question_id: int, reps: int) -> str:
    """Return the seed of a card's next fuzz draw, shared by the preview and the answer."""
    return f"{user_id}:{question_id}:{reps}"


# Creates the learner's card if it is missing and locks it, in one statement that also checks
# the question is in the bank and reads its version: PostgreSQL's ON CONFLICT … DO UPDATE takes
# the row lock (and waits for a concurrent insert to commit); SQLite locks the whole database for
# a write. The no-op update makes RETURNING see an existing row. No row: no such active question.
_LOCK_CARD = (
    "INSERT INTO flashcards_card (user_id, question_id, state, reps, lapses, suspended,"
    " seen_version, created_at)"
    " SELECT %s, q.id, 0, 0, 0, %s, 0, %s FROM flashcards_question q"
    " WHERE q.id = %s AND q.is_active AND (q.owner_id IS NULL OR q.owner_id = %s)"
    " ON CONFLICT (user_id, question_id) DO UPDATE SET user_id = EXCLUDED.user_id"
    " RETURNING *, (SELECT version FROM flashcards_question"
    " WHERE flashcards_question.id = flashcards_card.question_id) AS question_version"
)


def _locked_card(user, question_id: int) -> Card:
    """Return the learner's card for an active question, created if needed, locked until commit.

    The card carries the question's current version as `question_version`.
    """
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = Rows(_LOCK_CARD, [user.pk, False, created_at, question_id, user.pk])
    if not rows:
        raise QuestionNotFound("There is no such question in the bank.")
    card = rows.instance(Card)
    card.question_version = rows.value("question_version")
    return card


# What an answer writes: a review row, and the card's new state.
_REVIEW_FIELDS = [f for f in Review._meta.concrete_fields if not f.primary_key]
_CARD_FIELDS = [Card._meta.get_field(n) for n in (*scheduling.MEMORY_FIELDS, "reps", "lapses",
                                                   "seen_version", "proven_at")]  # fmt: skip
# On PostgreSQL both writes are one statement (a data-modifying WITH), so an answer costs two
# round trips to the database: lock the card, record the answer.
_RECORD_ANSWER = (
    f"WITH review AS (INSERT INTO flashcards_review"
    f" ({', '.join(f.column for f in _REVIEW_FIELDS)})"
    f" VALUES ({', '.join(['%s'] * len(_REVIEW_FIELDS))}) RETURNING id)"
    f" UPDATE flashcards_card SET {', '.join(f'{f.column} = %s' for f in _CARD_FIELDS)}"
    " WHERE id = %s RETURNING (SELECT id FROM review)"
)


def _record_answer(review: Review, card: Card) -> None:
    """Insert the review and save the card's new state."""
    if connection.vendor != "postgresql":  # SQLite has no data-modifying WITH: two statements
        review.save(force_insert=True)
        card.save(update_fields=[f.name for f in _CARD_FIELDS])
        return
    values = [
        *(f.get_db_prep_save(getattr(review, f.attname), connection) for f in _REVIEW_FIELDS),
        *(f.get_db_prep_save(getattr(card, f.attname), connection) for f in _CARD_FIELDS),
        card.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_ANSWER, values)
        review.pk = cursor.fetchone()[0]
    review._state.adding, review._state.db = False, connection.alias


@transaction.atomic
def card_answer(
    *,
    user,
    question_id: int,
    rating: int,
    expected_reps: int,
    now: datetime,
    duration_ms: int | None = None,
    source: str = Review.Source.STUDY,
    settings: StudySettings | None = None,
    suggested_rating: int | None = None,
) -> Review:
    """Apply one answer to the learner's card, once, and log it (with the coach's suggested
    rating, when it read a typed answer: `rating` is always the learner's choice)."""
    if rating not in scheduling.ANSWERS:
        raise AnswerRejected("Choose one of the four answers.")
    card = _locked_card(user, question_id)
    if card.reps != expected_reps:
        raise DuplicateAnswer("This card was already answered; your first answer was kept.")
    if card.suspended:
        raise AnswerRejected("This card is suspended; unsuspend it to study it.")
    settings = settings or study_settings_for(user)
    before = memory_of(card)
    after = scheduling.review(
        before,
        rating,
        now,
        seed=fuzz_seed(user.pk, question_id, card.reps),
        policy=policy_for(settings, now),
    )
    answer = scheduling.ANSWERS[rating]
    review = Review(
        user=user,
        card=card,
        question_id=question_id,
        known=answer.known,
        confidence=answer.confidence,
        rating=rating,
        source=source,
        suggested_rating=suggested_rating,
        reviewed_at=now,
        duration_ms=duration_ms,
        # The state before the answer, kept so the answer can be undone exactly.
        **{f"{name}_before": getattr(before, name) for name in scheduling.MEMORY_FIELDS},
        proven_at_before=card.proven_at,
        seen_version_before=card.seen_version,
        state_after=after.state,
        stability_after=after.stability,
        difficulty_after=after.difficulty,
        due_after=after.due,
    )
    if before.state == Card.State.REVIEW and not answer.known:
        card.lapses += 1
    card.proven_at = knowledge.proven_after(card.proven_at, before, answer.known, now)
    _set_memory(card, after)
    card.reps += 1
    card.seen_version = card.question_version
    _record_answer(review, card)
    return review


def _set_memory(card: Card, memory: scheduling.Memory) -> None:
    for name in scheduling.MEMORY_FIELDS:
        setattr(card, name, getattr(memory, name))


UNDO_CLOCK_SLACK = timedelta(milliseconds=1)


class AlreadyUndone(NothingToUndo):
    """An answer was undone after the page that sent this undo was shown: it was a repeat."""


@transaction.atomic
def review_undo(*, user, settings: StudySettings, now: datetime, page_shown_at: datetime) -> Review:
    """Undo the learner's latest answer of this study day: the card goes back exactly as it was
    and the review row is removed. Returns the removed review, with its card as it is now.

    `page_shown_at` is when the page with the Undo button was rendered: one page, one undo.
    """
    locked = StudySettings.objects.select_for_update().only("last_undo_at").get(pk=settings.pk)
    # Pages carry their time in whole milliseconds: the page an undo returns, rendered at the
    # moment of that undo, may read up to 1 ms earlier and must still undo the next answer.
    if locked.last_undo_at is not None and locked.last_undo_at > page_shown_at + UNDO_CLOCK_SLACK:
        raise AlreadyUndone("That answer was already undone.")
    day = queue.study_day(now, settings)
    review = (
        Review.objects.select_for_update()
        .filter(user=user, reviewed_at__gte=day.start, reviewed_at__lt=day.end)
        .exclude(source=Review.Source.PRACTICE)
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    if review is None:
        raise NothingToUndo("There is no answer from today left to undo.")
    card = Card.objects.select_for_update().get(pk=review.card_id)
    if card.last_review != review.reviewed_at:
        raise NothingToUndo(
            "That card has changed since (reset or practised); it cannot be undone."
        )
    _set_memory(card, scheduling.memory_from(review, "{}_before"))
    card.proven_at = review.proven_at_before
    if review.state_before == Card.State.REVIEW and not review.known:
        card.lapses -= 1
    card.reps -= 1
    card.seen_version = review.seen_version_before
    card.save()
    review.delete()
    StudySettings.objects.filter(pk=settings.pk).update(last_undo_at=now)
    review.card = card
    return review


@transaction.atomic
def card_suspend(*, user, question: Question, suspended: bool) -> Card:
    """Suspend a card (it leaves every queue) or bring it back."""
    card = _locked_card(user, question.pk)
    card.suspended = suspended
    card.save(update_fields=["suspended"])
    return card


@transaction.atomic
def card_bury(*, user, question: Question, now: datetime, settings: StudySettings) -> Card:
    """Take a card out of today's queue until the next study day; nothing else changes."""
    card = _locked_card(user, question.pk)
    card.buried_until = queue.study_day(now, settings).end
    card.save(update_fields=["buried_until"])
    return card


def new_cards_add(*, settings: StudySettings, count: int, now: datetime) -> None:
    """Raise today's new-card limit by `count` ("learn N more now"); tomorrow is unchanged."""
    day = queue.study_day(now, settings).date
    settings.extra_new = count + (settings.extra_new if settings.extra_new_day == day else 0)
    settings.extra_new_day = day
    settings.save(update_fields=["extra_new", "extra_new_day"])


@transaction.atomic
def card_reset(*, user, question: Question) -> Card:
    """Forget a card's progress: it becomes new again. Its review history is kept."""
    card = _locked_card(user, question.pk)
    _set_memory(card, scheduling.Memory())
    card.proven_at = None
    card.lapses = 0
    card.reps += 1  # answers prepared against the old state must not apply
    card.save()
    return card


def card_mark_known(*, user, question: Question, now: datetime) -> Review:
    """Schedule a new card as already known, without studying it: an Easy first answer."""
    card = Card.objects.filter(user=user, question=question).first()
    if card is not None and card.state != Card.State.NEW:
        raise AnswerRejected("Only a new card can be marked as known.")
    return card_answer(
        user=user,
        question_id=question.pk,
        rating=4,
        expected_reps=card.reps if card else 0,
        now=now,
        source=Review.Source.MARKED,
    )
