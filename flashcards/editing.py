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


# The diff compares whole sentences (equal or not, by hash), at most this many from each
# version, and shows each changed sentence cut to a readable length: its cost is bounded
# whatever an editor saves.
DIFF_SENTENCES = 400
DIFF_SENTENCE_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    found = []
    for sentence in _SENTENCE_END.split(text or ""):
        if sentence.strip():
            found.append(sentence.strip())
            if len(found) == DIFF_SENTENCES:
                break
    return found


def _shown(sentence: str) -> str:
    if len(sentence) <= DIFF_SENTENCE_CHARS:
        return sentence
    return sentence[: DIFF_SENTENCE_CHARS - 1] + "…"


def answer_diff(old: str, new: str, limit: int = 12) -> list[tuple[str, str]]:
    """Return what changed in an answer as ("+" or "-", sentence) pairs, at most `limit`."""
    before, after = _sentences(old), _sentences(new)
    changes = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in {"replace", "delete"}:
            changes += [("-", _shown(s)) for s in before[i1:i2]]
        if tag in {"replace", "insert"}:
            changes += [("+", _shown(s)) for s in after[j1:j2]]
        if len(changes) >= limit:
            break
    return changes[:limit]
