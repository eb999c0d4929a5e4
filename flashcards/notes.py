"""A learner's own notes on cards: writing one (empty text removes it) and reading them back."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

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
        note, _ = Note.objects.update_or_create(
            user=user, question=question, defaults={"text": text, "updated_at": now}
        )
        return note


def note_for(user, question_id: int) -> Note | None:
    return Note.objects.filter(user=user, question_id=question_id).first()


def note_texts(user, question_ids) -> dict[int, str]:
    """The learner's notes on these questions, by question id (one query)."""
    rows = Note.objects.filter(user=user, question_id__in=question_ids)
    return dict(rows.values_list("question_id", "text"))
