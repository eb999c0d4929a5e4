"""Answering a card: the transaction, the row lock and the review log."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings as django_settings
from django.db import transaction

from . import scheduling
from .models import Card, Question, Review, StudySettings


class AnswerRejected(Exception):
    """The answer cannot be applied; the message says why."""


class DuplicateAnswer(AnswerRejected):
    """The card has moved on since the learner saw it: this answer was already applied."""


def study_settings_for(user) -> StudySettings:
    """Return the learner's settings, creating the defaults on first use."""
    settings, _ = StudySettings.objects.get_or_create(user=user)
    return settings


def policy_for(settings: StudySettings, today: date | None = None) -> scheduling.Policy:
    """Return the scheduling policy for a learner's settings."""
    return scheduling.Policy(
        desired_retention=settings.desired_retention,
        fuzzing=django_settings.FSRS_ENABLE_FUZZING,
    )


def memory_of(card: Card | None) -> scheduling.Memory:
    """Return a card row's scheduling state (a new card if there is no row)."""
    if card is None:
        return scheduling.Memory()
    return scheduling.Memory(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def fuzz_seed(user_id: int, question_id: int, reps: int) -> str:
    """Return the seed of a card's next fuzz draw, shared by the preview and the answer."""
    return f"{user_id}:{question_id}:{reps}"


@transaction.atomic
def card_answer(
    *,
    user,
    question: Question,
    rating: int,
    expected_reps: int,
    now: datetime,
    duration_ms: int | None = None,
    source: str = Review.Source.STUDY,
    settings: StudySettings | None = None,
) -> Review:
    """Apply one answer to the learner's card, once, and log it."""
    if rating not in scheduling.ANSWERS:
        raise AnswerRejected("Choose one of the four answers.")
    Card.objects.bulk_create([Card(user=user, question=question)], ignore_conflicts=True)
    card = Card.objects.select_for_update().get(user=user, question=question)
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
        seed=fuzz_seed(user.pk, question.pk, card.reps),
        policy=policy_for(settings),
    )
    answer = scheduling.ANSWERS[rating]
    review = Review.objects.create(
        user=user,
        card=card,
        question=question,
        known=answer.known,
        confidence=answer.confidence,
        rating=rating,
        source=source,
        reviewed_at=now,
        duration_ms=duration_ms,
        state_before=before.state,
        step_before=before.step,
        stability_before=before.stability,
        difficulty_before=before.difficulty,
        due_before=before.due,
        last_review_before=before.last_review,
        state_after=after.state,
        stability_after=after.stability,
        difficulty_after=after.difficulty,
        due_after=after.due,
    )
    if before.state == Card.State.REVIEW and not answer.known:
        card.lapses += 1
    card.state, card.step = after.state, after.step
    card.stability, card.difficulty = after.stability, after.difficulty
    card.due, card.last_review = after.due, after.last_review
    card.reps += 1
    card.save()
    return review
