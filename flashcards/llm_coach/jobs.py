"""Asking the LLM coach for feedback: the daily budget, the stored row, and the background task.

The request that reveals an answer only counts the budget, stores a queued LLMFeedback and
enqueues `feedback_fetch`; the worker (`manage.py db_worker`) makes the HTTP call, so a slow or
failing model never holds up a page.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from flashcards.models import InterviewAnswer, LLMFeedback, LLMUsage, StudySettings

from . import client, is_configured

try:  # Django 6 has the tasks framework built in; on 5.2 it is the django-tasks backport.
    from django.tasks import task
except ImportError:
    from django_tasks import task

ATTEMPTS = 2  # one retry
OVER_LIMIT_NOTE = (
    "You have used today's {limit} answers for the LLM coach, so this one was not sent. "
    "The built-in coach's feedback is here as always; the LLM coach is back tomorrow (UTC)."
)

# One statement counts the answer and reads the count, only while under the limit, so two
# answers sent at the same moment cannot both take the last one: ON CONFLICT … DO UPDATE takes
# the row lock (the sign-up window limit in flashcards.account works the same way).
_TAKE_ONE = (
    f"INSERT INTO {LLMUsage._meta.db_table} (user_id, day, count) VALUES (%s, %s, 1)"
    " ON CONFLICT (user_id, day)"
    f" DO UPDATE SET count = {LLMUsage._meta.db_table}.count + 1"
    f" WHERE {LLMUsage._meta.db_table}.count < %s RETURNING count"
)


def budget_take(*, user, now: datetime) -> bool:
    """Count one answer against the learner's daily budget; False (nothing counted) when used up."""
    limit = settings.COACH_LLM_DAILY_LIMIT
    if limit <= 0:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TAKE_ONE, [user.pk, now.date(), limit])
        return cursor.fetchone() is not None


def wanted_by(user) -> bool:
    """Whether this learner's answers go to the LLM coach (configured, and they opted in)."""
    return is_configured() and StudySettings.objects.filter(user=user, llm_coach=True).exists()


def feedback_request(*, answer: InterviewAnswer, part: str, now: datetime) -> LLMFeedback | None:
    """Queue the LLM coach's reading of a typed answer, within the learner's daily budget (once
    per answer and part; None when the learner has not opted in or the coach is off)."""
    user = answer.interview.user
    if not wanted_by(user):
        return None
    with transaction.atomic():
        feedback, created = LLMFeedback.objects.get_or_create(
            answer=answer, part=part,
            defaults={"model": settings.COACH_LLM_MODEL, "created_at": now},
        )  # fmt: skip
        if not created:
            return feedback
        if not budget_take(user=user, now=now):
            feedback.status = LLMFeedback.Status.OVER_LIMIT
            feedback.error = OVER_LIMIT_NOTE.format(limit=settings.COACH_LLM_DAILY_LIMIT)
            feedback.finished_at = now
            feedback.save(update_fields=["status", "error", "finished_at"])
            return feedback
        # In the same transaction as the row, so the worker never sees one without the other.
        feedback_fetch.enqueue(feedback.pk)
    return feedback


def _chat(feedback: LLMFeedback) -> tuple[list[dict], int]:
    answer, question = feedback.answer, feedback.answer.question
    if feedback.part == LLMFeedback.Part.FOLLOW_UP:
        points = question.follow_up_key_points
        chat = client.messages(
            question=question.follow_up or f"Anything to add to your answer to: {question.prompt}",
            model_answer=question.follow_up_answer or question.answer,
            points=points, answer=answer.follow_up_answer,
        )  # fmt: skip
    else:
        points = question.key_points
        chat = client.messages(
            question=question.prompt, model_answer=question.answer, points=points,
            answer=answer.typed_answer,
        )  # fmt: skip
    return chat, len(points)


@task()
def feedback_fetch(feedback_id: int) -> str:
    """Ask the model (one retry), then store its checked feedback or the reason there is none."""
    feedback = LLMFeedback.objects.select_related("answer__question").filter(pk=feedback_id).first()
    if feedback is None or not feedback.pending:
        return "skipped"
    endpoint = client.Endpoint.from_settings()
    chat, point_count = _chat(feedback)
    note = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            payload = client.complete(endpoint, chat, point_count)
        except client.LLMFailed as failure:
            note = str(failure)
            continue
        return _finish(feedback, status=LLMFeedback.Status.DONE, payload=payload, attempts=attempt)
    return _finish(feedback, status=LLMFeedback.Status.UNAVAILABLE, error=note, attempts=ATTEMPTS)


def _finish(feedback: LLMFeedback, *, status: str, attempts: int, payload=None, error="") -> str:
    LLMFeedback.objects.filter(pk=feedback.pk, status=LLMFeedback.Status.QUEUED).update(
        status=status, payload=payload, error=error[:300], attempts=attempts,
        finished_at=timezone.now(),
    )  # fmt: skip
    return status
