"""A learner's own notes on cards: writing one (empty text removes it) and reading them back."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from .models import NOTE_MAX_LENGTH, Note, Question


class NoteRefused(Exception):
    """The note is not saved; the message says why."""


def note_save(*, user, question: Question, text: str, now: datetime) -> Note | None:
    """Keep the learner's note on a card, replacing any earlier one; empty text deletes it."""
    text = text.strip().replace("\r\n", "\n")
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteRefused(
            f"A note can be at most {NOTE_MAX_LENGTH:,} characters; this one has {len(text):,}."
        )
    with transaction.atomic():
        if not text:
            Note.objects.filter(user=user, question=question).delete()
            return None
        # One upsert statement: two tabs saving at once both succeed, the later text kept.
        note = Note(user=user, question=question, text=text, updated_at=now)
        Note.objects.bulk_create(
            [note],
            update_conflicts=True,
            unique_fields=["user", "question"],
            update_fields=["text", "updated_at"],
        )
        return note


def note_for(user, question_id: int) -> Note | None:
    return Note.objects.filter(user=user, question_id=question_id).first()


def with_note_text(questions: QuerySet, user) -> QuerySet:
    """Annotate each question with the learner's note on it (`note_text`, None without one)."""
    note = Note.objects.filter(user=user, question=OuterRef("pk")).values("text")[:1]
    return questions.annotate(note_text=Subquery(note))
