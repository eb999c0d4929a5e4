"""A learner's own cards (#16): private questions, scheduled and weighed like the bank's.

An own card is a Question row with an owner. Its priority sets its rank, and rank is what the
queue orders new cards by and what readiness weighs (readiness.weight): so one number places an
own card among the bank's questions everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import fixture
from .models import Card, InterviewAnswer, Note, Question, Review, Subsection, Tagging

# Where each priority puts an own card among the bank's ranks (1 = most likely … at most
# fixture.MAX_RANK): high before every bank question, normal among them just after the bank's
# top 40, low after all of them. Readiness weighs a card 1/√rank (rank 0 counts as rank 1).
PRIORITY_RANKS = {
    Question.Priority.HIGH: 0,
    Question.Priority.NORMAL: 40,
    Question.Priority.LOW: fixture.MAX_RANK + 1,
}
# Generated keys start with this, and the learner's own area (no bank subsection) goes by this
# key in forms and study scopes; the bank's file may use neither (fixture.py).
KEY_PREFIX = fixture.OWN_KEY_PREFIX
MY_QUESTIONS_KEY = fixture.MY_QUESTIONS_KEY
# What a learner writes is checked with the bank's own limits (fixture.question_problems).
FIELDS = ("prompt", "answer", "key_points", "follow_up")


@dataclass(frozen=True)
class OwnCard:
    """What a learner writes for an own card, already validated (forms.OwnCardForm)."""

    prompt: str
    answer: str
    key_points: list[str]
    follow_up: str
    subsection: Subsection | None
    priority: str


def own_cards_of(user):
    """The learner's own cards, newest first, with their placement."""
    return (
        Question.visible.to(user)
        .filter(owner=user)
        .select_related("subsection__section")
        .order_by("-id")
    )


def own_card_create(*, user, card: OwnCard) -> Question:
    """Create an own card; its key is generated (`own-<id>`), never asked for."""
    with transaction.atomic():
        question = Question(
            owner=user, origin=Question.Origin.OWN, key=f"{KEY_PREFIX}new-{user.pk}"
        )
        _fill(question, card)
        question.save()
        question.key = f"{KEY_PREFIX}{question.pk}"
        question.save(update_fields=["key"])
    return question


def own_card_update(*, question: Question, card: OwnCard) -> Question:
    """Change an own card's text, placement or priority; its schedule and history stay as they
    are (the learner wrote the change, so there is no 'changed since you last saw it')."""
    with transaction.atomic():
        _fill(question, card)
        question.save()
    return question


def own_card_delete(*, question: Question) -> None:
    """Delete an own card with everything the learner recorded about it."""
    _delete_with_progress(Question.visible.to(question.owner_id).filter(pk=question.pk))


def own_cards_delete_all(*, user) -> None:
    """Delete all of a learner's own cards with their progress (deleting the account)."""
    _delete_with_progress(Question.visible.to(user).filter(owner=user))


def _delete_with_progress(questions) -> None:
    # Learner data refers to questions with PROTECT (the bank is never deleted under it), so an
    # own card's rows go first, explicitly.
    with transaction.atomic():
        Tagging.objects.filter(question__in=questions).delete()
        Note.objects.filter(question__in=questions).delete()
        # A practice interview that drew it keeps its list of ids; advancing skips a question
        # that is gone, as it does one an editor retired.
        InterviewAnswer.objects.filter(question__in=questions).delete()
        Review.objects.filter(question__in=questions).delete()
        Card.objects.filter(question__in=questions).delete()
        questions.delete()


def _fill(question: Question, card: OwnCard) -> None:
    question.prompt = card.prompt
    question.answer = card.answer
    question.key_points = card.key_points
    question.follow_up = card.follow_up
    question.subsection = card.subsection
    question.priority = card.priority
    question.rank = PRIORITY_RANKS[card.priority]
