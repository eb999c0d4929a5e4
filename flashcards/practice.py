"""Practice interviews: the weighted draw, and answering, grading and following up a question.

A question's chance of being drawn is proportional to

    weight = (1 / √rank) × weakness
    weakness = 1 + 2 × (1 − R) + (1 if the last answer was "didn't know")

where R is the card's current recall probability (0 for a card never studied, so weakness 3).
Likely questions and weak ones come up more; nothing is ever excluded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from . import coach, readiness, reviews
from .llm_coach import jobs as llm_jobs
from .models import Interview, InterviewAnswer, LLMFeedback, Question, Review

LENGTHS = (5, 10, 15)
SUGGESTED_SECONDS = 120


class PracticeRejected(Exception):
    """The request does not fit the interview's state; the message says why."""


def weakness(row: readiness.CardRow, now: datetime, forgot_last: bool) -> float:
    """How much more often a weak card is drawn than a perfectly known one (1 to 4)."""
    return 1 + 2 * (1 - row.recall(now)) + (1 if forgot_last else 0)


def draw_weights(
    rows: list[readiness.CardRow], now: datetime, forgot: set[int]
) -> dict[int, float]:
    """Return each drawable question's weight (suspended cards are not drawn)."""
    return {
        r.question_id: readiness.weight(r.rank) * weakness(r, now, r.question_id in forgot)
        for r in rows
        if not r.suspended
    }


def draw(weights: dict[int, float], count: int, seed: int) -> list[int]:
    """Draw `count` distinct questions, each pick proportional to weight among those left.

    Uses one uniform number per question (key = u^(1/w), highest keys win), which is the same
    as drawing one at a time without replacement; the seed makes it reproducible.
    """
    rng = random.Random(seed)
    keys = {q: rng.random() ** (1 / w) for q, w in sorted(weights.items())}
    return sorted(keys, key=keys.get, reverse=True)[:count]


def _forgot_last(user) -> set[int]:
    """Questions whose latest answer was "didn't know" (one indexed query)."""
    latest = Review.objects.filter(user=user, question=OuterRef("pk")).order_by("-reviewed_at")
    return set(
        Question.visible.to(user)
        .annotate(last_known=Subquery(latest.values("known")[:1]))
        .filter(last_known=False)
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Focus:
    key: str
    label: str

    def keeps(self, row: readiness.CardRow) -> bool:
        if self.key.startswith("section:"):
            return row.section[1] == self.key.removeprefix("section:")
        return True


def interview_start(*, user, length: int, focus: Focus, now: datetime, seed: int | None = None
                    ) -> Interview:  # fmt: skip
    """Draw and store a new interview."""
    if length not in LENGTHS:
        raise PracticeRejected(f"An interview has {', '.join(map(str, LENGTHS))} questions.")
    rows = readiness.bank_rows(user, now)
    settings = reviews.study_settings_for(user)
    pool = [r for r in rows if focus.keeps(r)]
    if focus.key == "weakest":  # studied but not yet known; widened when too few for the length
        studied = [r for r in pool if r.is_studying]
        weak = [r for r in studied if not r.known(settings, now)]
        pool = next((p for p in (weak, studied) if len(p) >= length), pool)
    weights = draw_weights(pool, now, _forgot_last(user))
    if len(weights) < length:
        raise PracticeRejected("There are not enough questions here for an interview that long.")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    with transaction.atomic():
        interview = Interview.objects.create(
            user=user, seed=seed, focus=focus.key, focus_label=focus.label,
            question_ids=draw(weights, length, seed),
            readiness_before=readiness.readiness(rows, settings, now), started_at=now,
        )  # fmt: skip
        advance(interview, now)
    return interview


def interview_replay(*, interview: Interview, now: datetime) -> Interview:
    """Start the same interview again: the same questions in the same order."""
    rows = readiness.bank_rows(interview.user, now)
    settings = reviews.study_settings_for(interview.user)
    with transaction.atomic():
        replay = Interview.objects.create(
            user=interview.user, seed=interview.seed, focus=interview.focus,
            focus_label=interview.focus_label, question_ids=interview.question_ids,
            replay_of=interview, readiness_before=readiness.readiness(rows, settings, now),
            started_at=now,
        )  # fmt: skip
        advance(replay, now)
    return replay


def current_answer(interview: Interview) -> InterviewAnswer | None:
    """Return the answer being worked on, or None when there is none (read only: the POSTs that
    move the interview on put the next question up, see `advance`)."""
    return next((a for a in interview.answers.all() if a.follow_up_at is None), None)


def advance(interview: Interview, now: datetime) -> InterviewAnswer | None:
    """Put the next question in front of the learner (its row starts the timer), or finish the
    interview when every question drawn is done. Returns the answer being worked on."""
    answers = {a.position: a for a in interview.answers.all()}
    for position, question_id in enumerate(interview.question_ids):
        answer = answers.get(position)
        if answer is None:
            question = (
                Question.visible.to(interview.user_id)
                .filter(pk=question_id, is_active=True)
                .first()
            )
            if question is None:  # retired by an editor since the draw: skip it
                continue
            try:
                with transaction.atomic():
                    return InterviewAnswer.objects.create(
                        interview=interview, position=position, question=question, shown_at=now,
                        points_total=len(question.key_points),
                    )  # fmt: skip
            except IntegrityError:  # moved on in another tab at the same moment
                return InterviewAnswer.objects.get(interview=interview, position=position)
        if answer.follow_up_at is None:
            return answer
    interview_finish(interview=interview, now=now)
    return None


def answer_skip(*, answer: InterviewAnswer, now: datetime) -> bool:
    """Close, ungraded, an answer whose question an editor retired while it was asked: nothing is
    recorded for it and the interview moves on. Returns whether it was skipped."""
    if answer.question.is_active:
        return False
    closed = InterviewAnswer.objects.filter(
        pk=answer.pk, graded_at__isnull=True, follow_up_at__isnull=True
    ).update(follow_up_at=now)
    return bool(closed)


def answer_reveal(*, answer: InterviewAnswer, typed: str, now: datetime) -> None:
    """Keep what the learner typed and show them the model answer."""
    if answer.revealed_at is None:
        answer.revealed_at = now
        answer.typed_answer = typed
        fields = ["revealed_at", "typed_answer"]
        if typed.strip():
            feedback = coach.coach_question(answer.question, typed)
            answer.coach_covered, answer.coach_rating = feedback.covered, feedback.rating
            fields += ["coach_covered", "coach_rating"]
        answer.save(update_fields=fields)
        if typed.strip():
            llm_jobs.feedback_request(answer=answer, part=LLMFeedback.Part.ANSWER, now=now)


def grade_from_checklist(covered: int, total: int, would_pass: bool) -> tuple[int, bool]:
    """Turn the checklist and the verdict into a study answer: (FSRS rating, known).

    "I wouldn't pass" is "didn't know". Otherwise the share of key points covered sets the
    confidence: at least ¾ high, at least ½ medium, less low.
    """
    if not would_pass:
        return 1, False
    share = covered / total if total else 1.0
    if share >= 0.75:
        return 4, True
    if share >= 0.5:
        return 3, True
    return 2, True


@transaction.atomic
def answer_grade(*, answer: InterviewAnswer, covered: list[int], would_pass: bool, now: datetime
                 ) -> Review:  # fmt: skip
    """Record the grade once, as a real review through the same service as the study screen."""
    answer = InterviewAnswer.objects.select_for_update().get(pk=answer.pk)
    if answer.graded_at is not None:
        raise PracticeRejected("This answer was already graded; your first grade was kept.")
    if answer.revealed_at is None:
        raise PracticeRejected("Reveal the model answer before grading it.")
    if any(not 0 <= i < answer.points_total for i in covered) or len(set(covered)) != len(covered):
        raise PracticeRejected("That checklist has points this question does not have.")
    rating, _ = grade_from_checklist(len(covered), answer.points_total, would_pass)
    card = answer.question.cards.filter(user=answer.interview.user).first()
    try:
        review = reviews.card_answer(
            user=answer.interview.user, question_id=answer.question_id, rating=rating,
            expected_reps=card.reps if card else 0, now=now,
            duration_ms=int((answer.revealed_at - answer.shown_at).total_seconds() * 1000),
            source=Review.Source.PRACTICE, suggested_rating=answer.coach_rating,
        )  # fmt: skip
    except reviews.AnswerRejected as error:
        raise PracticeRejected(str(error)) from None
    answer.points_covered, answer.would_pass = sorted(covered), would_pass
    answer.graded_at, answer.review = now, review
    answer.save(update_fields=["points_covered", "would_pass", "graded_at", "review"])
    return review


@transaction.atomic
def follow_up_record(*, answer: InterviewAnswer, text: str, passed: bool, now: datetime) -> None:
    """Keep the follow-up answer and its self-rating (not scheduled), once; then move on to the
    next question (or finish the interview)."""
    coached = {}
    if text.strip() and answer.question.follow_up_key_points:
        feedback = coach.coach_question(answer.question, text, follow_up=True)
        coached = {"follow_up_coach_covered": feedback.covered,
                   "follow_up_coach_rating": feedback.rating}  # fmt: skip
    updated = InterviewAnswer.objects.filter(
        pk=answer.pk, graded_at__isnull=False, follow_up_at__isnull=True
    ).update(follow_up_answer=text, follow_up_passed=passed, follow_up_at=now, **coached)
    if not updated:
        raise PracticeRejected("Grade the answer first; a follow-up is recorded once.")
    if text.strip():
        answer.follow_up_answer = text
        llm_jobs.feedback_request(answer=answer, part=LLMFeedback.Part.FOLLOW_UP, now=now)
    advance(answer.interview, now)


def last_attempt(answer: InterviewAnswer) -> InterviewAnswer | None:
    """In a replay, the learner's answer to the same question in the interview replayed."""
    if answer.interview.replay_of_id is None:
        return None
    return (
        InterviewAnswer.objects.filter(
            interview_id=answer.interview.replay_of_id, question_id=answer.question_id
        )
        .select_related("interview")
        .first()
    )


def interview_finish(*, interview: Interview, now: datetime) -> None:
    if interview.finished_at is None:
        rows = readiness.bank_rows(interview.user, now)
        settings = reviews.study_settings_for(interview.user)
        interview.readiness_after = readiness.readiness(rows, settings, now)
        interview.finished_at = now
        interview.save(update_fields=["readiness_after", "finished_at"])


def score(answers: list[InterviewAnswer]) -> int | None:
    """Percent of key points covered over the graded answers."""
    graded = [a for a in answers if a.graded_at is not None and a.points_total]
    if not graded:
        return None
    return round(
        100 * sum(len(a.points_covered) for a in graded) / sum(a.points_total for a in graded)
    )


def to_revisit(answers: list[InterviewAnswer]) -> list[InterviewAnswer]:
    """Answers the learner would not pass, or that covered under half the key points: the most
    key points missed first (then the ones that would not pass), in the order asked."""
    weak = [
        a for a in answers
        if a.graded_at is not None and (not a.would_pass or (a.covered_share or 0) < 0.5)
    ]  # fmt: skip
    return sorted(weak, key=lambda a: (-len(a.missed), bool(a.would_pass), a.position))
