"""A learner's own account: reporting problems, and deleting everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction

from .models import Question, Report

REPORTS_PER_HOUR = 10


class ReportRefused(Exception):
    """The report is not accepted; the message says why."""


def report_create(*, user, question: Question, kind: str, comment: str, now: datetime) -> Report:
    """File one report per learner, question and version, at most REPORTS_PER_HOUR an hour."""
    recent = Report.objects.filter(user=user, created_at__gte=now - timedelta(hours=1)).count()
    if recent >= REPORTS_PER_HOUR:
        raise ReportRefused("You have sent many reports in the last hour; please try again later.")
    try:
        with transaction.atomic():
            return Report.objects.create(
                user=user, question=question, version=question.version, kind=kind, comment=comment
            )
    except IntegrityError:
        raise ReportRefused(
            "You already reported this version of the answer. Thank you — an editor will look."
        ) from None


@transaction.atomic
def account_delete(*, user) -> None:
    """Remove the learner and every row that belongs to them (cards, reviews, reports, settings)."""
    user.delete()


def signup_allowed(address: str, *, limit: int) -> bool:
    """Count a sign-up attempt from an address; False once it made `limit` in the last hour."""
    key = f"signups:{address}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True
