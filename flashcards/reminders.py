"""Daily reminder mails: at most one per learner per study day, only when something is due.

`send_due(now)` is run every few minutes by `manage.py send_reminders`. A learner's reminder is
due once their local clock passes the chosen hour in the current study day. The study day's row
is created under a unique constraint and locked while the mail goes out, so two runs at once
send it once; a delivery the server did not accept stays retryable for the next run; an address
the server refuses stops further reminders until the learner turns them on again.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from . import queue, readiness, reviews, stats
from .models import Reminder, ReminderPreference, StudySettings

MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "flashcards.reminders.unsubscribe"


@dataclass(frozen=True)
class Figures:
    """What the reminder says, computed by the dashboard's and statistics page's functions."""

    due: int  # the dashboard's "Due": reviews due plus learning cards coming back today
    new: int  # the dashboard's "New"
    remaining: int  # what "Study now" would offer today
    days_to_interview: int | None
    streak: int

    def summary(self) -> str:
        parts = [f"{self.due} card{'s' if self.due != 1 else ''} due"]
        if self.new:
            parts.append(f"{self.new} new")
        if self.days_to_interview is not None:
            days = self.days_to_interview
            parts.append(
                "your interview is today"
                if days == 0
                else f"your interview is in {days} day{'s' if days != 1 else ''}"
            )
        if self.streak:
            parts.append(f"{self.streak}-day streak")
        return " · ".join(parts)


def figures_for(user, settings: StudySettings, now: datetime) -> Figures:
    today = queue.today(user, settings, now)
    window_start = queue.study_day(now, settings).end - timedelta(days=30)
    plan = readiness.interview_plan(readiness.bank_rows(user, window_start), settings, now)
    return Figures(
        due=today.due + today.learning_later,
        new=today.new,
        remaining=today.remaining,
        days_to_interview=plan.days_left if plan else None,
        streak=stats.activity(user, settings, now).current_streak,
    )


def reminder_moment(day: queue.StudyDay, hour: int, time_zone: str) -> datetime:
    """When a study day's reminder is due: the chosen local hour within that study day."""
    start = day.start.astimezone(ZoneInfo(time_zone))
    moment = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment < start:  # an hour before the day starts belongs to the next calendar date
        moment = (moment.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=moment.tzinfo)
    return moment


def unsubscribe_token(reminder: Reminder) -> str:
    return signing.dumps({"r": reminder.pk, "u": reminder.user_id}, salt=UNSUBSCRIBE_SALT)


class BadToken(Exception):
    """The unsubscribe link is not one we sent, or was already used; the message says which."""


def unsubscribe(token: str, *, now: datetime) -> ReminderPreference:
    """Turn reminders off for the learner a mailed link names; each link works once."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadToken("This unsubscribe link is not valid.") from None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .filter(pk=data.get("r"), user_id=data.get("u"))
            .first()
        )
        if reminder is None:
            raise BadToken("This unsubscribe link is not valid.")
        if reminder.unsubscribed_at is not None:
            raise BadToken("This unsubscribe link was already used.")
        reminder.unsubscribed_at = now
        reminder.save(update_fields=["unsubscribed_at"])
        preference, _ = ReminderPreference.objects.get_or_create(user_id=reminder.user_id)
        preference.enabled = False
        preference.save(update_fields=["enabled"])
    return preference


def _message(reminder: Reminder, figures: Figures, address: str) -> EmailMultiAlternatives:
    site = django_settings.SITE_URL
    unsubscribe_url = site + reverse("reminder_unsubscribe", args=[unsubscribe_token(reminder)])
    context = {
        "figures": figures,
        "summary": figures.summary(),
        "study_url": site + reverse("study"),
        "settings_url": site + reverse("reminder_settings"),
        "unsubscribe_url": unsubscribe_url,
    }
    subject = f"{figures.summary()} — GenAI Interview Prep"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/reminder.txt", context),
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("email/reminder.html", {**context, "subject": subject}), "text/html"
    )
    return message


def _candidates(now: datetime):
    """(preference, study settings, address, study day) for each learner whose hour has come."""
    preferences = ReminderPreference.objects.filter(enabled=True, undeliverable=False)
    addresses = dict(
        EmailAddress.objects.filter(
            user__in=preferences.values("user"), primary=True, verified=True
        ).values_list("user_id", "email")
    )
    settings_by_user = {
        s.user_id: s for s in StudySettings.objects.filter(user_id__in=list(addresses))
    }
    settled = set(
        Reminder.objects.filter(
            user_id__in=list(addresses), study_day__gte=now.date() - timedelta(2)
        )
        .exclude(status__in=[Reminder.Status.PENDING, Reminder.Status.FAILED])
        .values_list("user_id", "study_day")
    )
    for preference in preferences.filter(user_id__in=list(addresses)).select_related("user"):
        study_settings = settings_by_user.get(preference.user_id) or reviews.study_settings_for(
            preference.user
        )
        day = queue.study_day(now, study_settings)
        if (preference.user_id, day.date) in settled:
            continue
        if now >= reminder_moment(day, preference.hour, study_settings.time_zone):
            yield preference, study_settings, addresses[preference.user_id], day.date


def _send_one(preference, study_settings, address: str, day: date, now: datetime) -> str | None:
    """Send one learner's reminder for `day` unless it is settled or another run holds it."""
    user = preference.user
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [Reminder(user=user, study_day=day, email=address)], ignore_conflicts=True
        )
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(
                user=user,
                study_day=day,
                status__in=[Reminder.Status.PENDING, Reminder.Status.FAILED],
                attempts__lt=MAX_ATTEMPTS,
            )
            .first()
        )
        if reminder is None:
            return None
        figures = figures_for(user, study_settings, now)
        reminder.email = address
        if not figures.remaining:
            reminder.status = Reminder.Status.NOTHING_DUE
        else:
            reminder.attempts += 1
            try:
                _message(reminder, figures, address).send()
            except smtplib.SMTPRecipientsRefused as error:
                reminder.status = Reminder.Status.BOUNCED
                reminder.last_error = str(error)[:500]
                ReminderPreference.objects.filter(pk=preference.pk).update(undeliverable=True)
            except (smtplib.SMTPException, OSError) as error:
                reminder.status = Reminder.Status.FAILED
                reminder.last_error = f"{type(error).__name__}: {error}"[:500]
            else:
                reminder.status = Reminder.Status.SENT
                reminder.sent_at = now
                reminder.last_error = ""
        reminder.save()
        return reminder.status


def send_due(now: datetime) -> dict[str, int]:
    """Send every reminder whose hour has come; return how many ended in each status."""
    outcome: dict[str, int] = {}
    for preference, study_settings, address, day in list(_candidates(now)):
        status = _send_one(preference, study_settings, address, day, now)
        if status:
            outcome[status] = outcome.get(status, 0) + 1
    return outcome
