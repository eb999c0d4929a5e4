"""A learner's own account: reporting problems, and deleting everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from . import own_cards
from .models import Question, Report, SignupWindow

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


class DeletionInterrupted(Exception):
    """Another session of the learner got in the way; nothing was deleted: try again."""


def account_delete(*, user) -> None:
    """Remove the learner and every row that belongs to them (cards, reviews, reports, settings),
    all or nothing. If another session of theirs commits a row between the collection and the
    commit, the foreign-key check fails: nothing is deleted and DeletionInterrupted asks for a
    retry (instead of a 500)."""
    try:
        with transaction.atomic():
            own_cards.own_cards_delete_all(user=user)
            user.delete()
    except (IntegrityError, OperationalError) as error:  # also a deadlock with that session
        raise DeletionInterrupted(str(error)) from None


# One statement counts the attempt and reads the count, so simultaneous sign-ups cannot both see
# room for one more: ON CONFLICT … DO UPDATE takes the row lock (SQLite locks the database).
_COUNT_SIGNUP = (
    f"INSERT INTO {SignupWindow._meta.db_table} (address, window_start, count) VALUES (%s, %s, 1)"
    " ON CONFLICT (address, window_start)"
    f" DO UPDATE SET count = {SignupWindow._meta.db_table}.count + 1 RETURNING count"
)


def signup_allowed(address: str, *, limit: int) -> bool:
    """Count a sign-up attempt from an address; False once it made `limit` this clock hour.

    The window is fixed (10:00–10:59, then 11:00–11:59), so the limit is exactly `limit` an hour
    whatever the timing; windows older than the current one are removed on the way.
    """
    now = timezone.now()
    window = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        SignupWindow.objects.filter(window_start__lt=window).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                _COUNT_SIGNUP,
                [address[:45], connection.ops.adapt_datetimefield_value(window)],
            )
            (count,) = cursor.fetchone()
    return count <= limit
