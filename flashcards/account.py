"""A learner's own account: reporting problems, and deleting everything."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from . import own_cards
from .models import Card, InterviewAnswer, Question, Report, SignupWindow, StudySettings

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


def account_delete(*, user, attempts: int = 3) -> None:
    """Remove the learner and every row that belongs to them (cards, reviews, reports, settings),
    all or nothing, even while another session of theirs is writing.

    The rows that writes lock are locked first, in the same order as the writes take them
    (settings, cards, practice answers), then the account row: a write under way finishes before
    the deletion collects the rows, and a later write waits at its commit (its foreign-key check
    needs a share lock on the account row) and fails there once the account is gone, so no row
    appears between collecting and deleting, and no write holds a row the deletion waits for
    while waiting for the deletion. Should PostgreSQL still report a deadlock, the attempt is
    rolled back and made again; after `attempts`, DeletionInterrupted asks the learner to retry."""
    user_id = user.pk  # delete() clears the instance's pk even when its transaction rolls back
    for _ in range(attempts):
        try:
            with transaction.atomic():
                for rows in (
                    StudySettings.objects.filter(user_id=user_id),
                    Card.objects.filter(user_id=user_id),
                    InterviewAnswer.objects.filter(interview__user_id=user_id),
                ):
                    list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
                account = get_user_model().objects.select_for_update().filter(pk=user_id).first()
                if account is not None:  # None: another tab of theirs deleted it just now
                    # Own cards first: learner data refers to questions with PROTECT.
                    own_cards.own_cards_delete_all(user=account)
                    account.delete()
            return
        except (IntegrityError, OperationalError) as error:
            interrupted = error
    raise DeletionInterrupted(str(interrupted)) from None


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
