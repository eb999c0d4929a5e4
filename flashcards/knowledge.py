"""What "known" means, in one place.

A card is known when the learner has recalled it after at least a day away (not just minutes
later in the same sitting), it is in FSRS's review state (not learning or relearning), and its
recall probability is still at or above the learner's desired retention. The mastery map, the
browse filter, the weakest-cards drill and practice focus, and the exports all ask this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import scheduling

# A recall counts as proof only after this long away from the card: same-day learning steps
# test short-term memory, which says little about the interview.
PROOF_INTERVAL = timedelta(days=1)


def proves(before: scheduling.Memory, known: bool, now: datetime) -> bool:
    """Return whether an answer at `now` is a recall after at least PROOF_INTERVAL away."""
    return (
        known
        and before.state != scheduling.NEW
        and before.last_review is not None
        and now - before.last_review >= PROOF_INTERVAL
    )


def proven_after(proven_at: datetime | None, before: scheduling.Memory, known: bool,
                 now: datetime) -> datetime | None:  # fmt: skip
    """Return the card's new `proven_at` after an answer: set by a recall after a day or more
    away, cleared by "didn't know", otherwise kept."""
    if not known:
        return None
    return now if proves(before, known, now) else proven_at


def is_known(
    *, state: int, proven_at: datetime | None, recall: float, desired_retention: float
) -> bool:
    """Return whether a card counts as known (see the module docstring)."""
    return state == scheduling.REVIEW and proven_at is not None and recall >= desired_retention


def question_known(question, desired_retention: float, now: datetime) -> bool:
    """Return whether a question annotated by QuestionQuerySet.with_card_for() is known."""
    memory = scheduling.Memory(
        state=question.card_state or scheduling.NEW,
        stability=question.card_stability,
        last_review=question.card_last_review,
    )
    return is_known(
        state=memory.state,
        proven_at=question.card_proven_at,
        recall=scheduling.retrievability(memory, now),
        desired_retention=desired_retention,
    )
