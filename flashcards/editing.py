"""Changing the question bank's content: versions, revisions and what learners are shown."""

from __future__ import annotations

import difflib
import re

from .models import Question, QuestionRevision

CONTENT_FIELDS = (
    "prompt", "answer", "key_points", "follow_up", "follow_up_answer", "follow_up_key_points",
)  # fmt: skip


def _normalised(value) -> str:
    text = "\n".join(value) if isinstance(value, list) else str(value or "")
    return re.sub(r"\s+", " ", text).strip()


def material_change(old: dict, new: dict) -> bool:
    """Whether the content changed beyond white space."""
    return any(_normalised(old[name]) != _normalised(new[name]) for name in CONTENT_FIELDS)


def content_of(question: Question) -> dict:
    return {name: getattr(question, name) for name in CONTENT_FIELDS}


def next_revision(question: Question, old: dict) -> QuestionRevision:
    """Return the (unsaved) revision keeping the content a question had at its current version,
    and move the question to the next version. Save it with save_revisions()."""
    revision = QuestionRevision(question=question, version=question.version, **old)
    question.version += 1
    return revision


def save_revisions(revisions: list[QuestionRevision]) -> None:
    """Store revisions in one statement (a version stored before is overwritten)."""
    QuestionRevision.objects.bulk_create(
        revisions,
        update_conflicts=True,
        unique_fields=["question", "version"],
        update_fields=list(CONTENT_FIELDS),
    )


def record_revision(question: Question, old: dict) -> None:
    """Keep the content a question had at its current version, then move to the next version.

    Call before saving a question whose content changed materially.
    """
    save_revisions([next_revision(question, old)])


def answer_diff(old: str, new: str, limit: int = 12) -> list[tuple[str, str]]:
    """Return what changed in an answer as ("+" or "-", sentence) pairs, at most `limit`."""

    def sentences(text: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text or "") if s.strip()]

    changes = [
        (line[0], line[1:].strip())
        for line in difflib.ndiff(sentences(old), sentences(new))
        if line[:1] in {"+", "-"}
    ]
    return changes[:limit]
