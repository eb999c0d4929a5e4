"""The FSRS wrapper: answers to ratings, memory state in and out, interval previews.

No ORM and no clock here: callers pass the state and `now`.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs
import fsrs.scheduler

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3

# fsrs draws its interval fuzz from the module-level name `random` and offers no way to seed it.
# Routing that name through a context variable lets us seed the draw per card and review count,
# so the interval a button previews is the interval the answer applies, without a global seed
# shared across threads. That name is not public API: pyproject.toml pins fsrs exactly, and
# tests/test_scheduling.py checks every fuzzed answer draws through it.
_fuzz_rng: ContextVar[random.Random | None] = ContextVar("fuzz_rng", default=None)


def _fuzz_draw() -> float:
    rng = _fuzz_rng.get()
    return rng.random() if rng is not None else random.random()


fsrs.scheduler.random = _fuzz_draw


@contextmanager
def _seeded_fuzz(seed: str):
    token = _fuzz_rng.set(random.Random(seed))
    try:
        yield
    finally:
        _fuzz_rng.reset(token)


@dataclass(frozen=True)
class Answer:
    """One of the four buttons: what the learner said and the FSRS rating it becomes."""

    rating: int
    label: str
    known: bool
    confidence: int | None


ANSWERS: dict[int, Answer] = {
    1: Answer(1, "Didn't know", known=False, confidence=None),
    2: Answer(2, "Knew it · low confidence", known=True, confidence=1),
    3: Answer(3, "Knew it · medium confidence", known=True, confidence=2),
    4: Answer(4, "Knew it · high confidence", known=True, confidence=3),
}


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state, as stored in the card row."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


MEMORY_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def memory_from(row, attribute: str = "{}") -> Memory:
    """Read a Memory from an object holding its fields, named by `attribute` ("{}_before")."""
    return Memory(**{name: getattr(row, attribute.format(name)) for name in MEMORY_FIELDS})


@dataclass(frozen=True)
class Policy:
    """How one learner's cards are scheduled."""

    desired_retention: float = 0.9
    maximum_interval: int = 36500
    fuzzing: bool = True


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _scheduler(policy: Policy) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=policy.desired_retention,
        maximum_interval=max(1, policy.maximum_interval),
        enable_fuzzing=policy.fuzzing,
    )


def _to_fsrs(memory: Memory, now: datetime) -> fsrs.Card:
    # An explicit card_id stops fsrs from sleeping a millisecond to invent one.
    if memory.state == NEW:
        return fsrs.Card(card_id=1, state=fsrs.State.Learning, step=0, due=_utc(now))
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_utc(memory.due),
        last_review=_utc(memory.last_review),
    )


def review(memory: Memory, rating: int, now: datetime, *, seed: str, policy: Policy) -> Memory:
    """Return the memory after answering with `rating` at `now`; `seed` fixes the fuzz draw."""
    card = _to_fsrs(memory, now)
    with _seeded_fuzz(seed):
        after, _log = _scheduler(policy).review_card(card, fsrs.Rating(rating), _utc(now))
    return Memory(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=after.last_review,
    )


def preview(memory: Memory, now: datetime, *, seed: str, policy: Policy) -> dict[int, timedelta]:
    """Return, for each rating, how long until the card would come back."""
    return {
        rating: review(memory, rating, now, seed=seed, policy=policy).due - _utc(now)
        for rating in ANSWERS
    }


# Recall probability does not depend on the policy, so one scheduler serves every call (the
# dashboard asks it thousands of times for a 30-day trend).
_RECALL = fsrs.Scheduler(enable_fuzzing=False)


def retrievability(memory: Memory, now: datetime) -> float:
    """Return the predicted probability of recalling the card at `now` (0 if never studied)."""
    if memory.state == NEW or memory.stability is None:
        return 0.0
    card = _to_fsrs(memory, now)
    return float(_RECALL.get_card_retrievability(card, _utc(now)))


def format_interval(interval: timedelta) -> str:
    """Return an interval the way Anki's buttons show it: 10m, 3h, 2d, 1.5mo, 2y."""
    seconds = max(0, interval.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".rstrip("0").rstrip(".") + "mo"
    return f"{days / 365:.1f}".rstrip("0").rstrip(".") + "y"


_SHORT_NAMES = {1: "Didn't know", 2: "low", 3: "medium", 4: "high"}


def same_interval_note(intervals: dict[int, timedelta], policy: Policy) -> str | None:
    """When two or more buttons would bring the card back after the same interval (as shown),
    say why in one sentence; otherwise None."""
    groups: dict[str, list[int]] = {}
    for rating, wait in intervals.items():
        groups.setdefault(format_interval(wait), []).append(rating)
    shown, ratings = max(groups.items(), key=lambda item: len(item[1]))
    if len(ratings) < 2:
        return None
    names = [_SHORT_NAMES[r] for r in ratings]
    who = f"{', '.join(names[:-1])} and {names[-1]}"
    who = who[0].upper() + who[1:]
    wait = intervals[ratings[0]]
    if policy.maximum_interval < Policy.maximum_interval and wait >= timedelta(
        days=policy.maximum_interval
    ):
        why = "your interview date caps intervals so every card comes back before it"
    elif wait < timedelta(days=1):
        why = "a card in its learning steps comes back after a fixed short wait"
    else:
        why = "the scheduler counts intervals in whole days"
    both = "both" if len(ratings) == 2 else "all"
    return f"{who} {both} bring it back in {shown}: {why}."
