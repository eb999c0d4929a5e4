"""The dashboard and the statistics page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from flashcards import charts, queue, readiness, reviews, stats
from flashcards.models import Card, Question

from .common import HtmxHttpRequest

BUTTON_NAMES = {1: "Didn't know", 2: "Low", 3: "Medium", 4: "High"}


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    window_start = queue.study_day(now, settings).end - timedelta(days=30)
    rows = readiness.bank_rows(request.user, window_start)
    trend = readiness.readiness_trend(rows, request.user, settings, now)
    target = readiness.target_moment(settings, now)
    by_id = {r.question_id: r for r in rows}
    leeches = stats.leeches(rows)
    return render(
        request,
        "flashcards/dashboard.html",
        {
            "today": queue.today(request.user, settings, now),
            "readiness": readiness.readiness(rows, settings, now),
            "readiness_day": timezone.localtime(target).date(),
            "readiness_on_interview": queue.days_until_interview(settings, now) is not None,
            "trend_chart": charts.bar_chart(
                [(day.strftime("%-d %b"), round(100 * value)) for day, value in trend.points],
                title="Readiness over the last 30 days",
                unit="%",
            ),
            "trend": trend,
            "trend_min_days": readiness.TREND_MIN_DAYS,
            "plan": readiness.interview_plan(rows, settings, now),
            "settings": settings,
            "mastery": stats.mastery_map(rows, settings, now),
            "leeches": [by_id[q] for q in leeches],
            "leech_questions": Question.visible.to(request.user)
            .filter(pk__in=leeches)
            .order_by("rank")
            if leeches
            else [],
            "has_studied": any(r.state != Card.State.NEW for r in rows),
        },
    )


@require_GET
@login_required
def statistics(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    today = queue.study_day(now, settings).date
    activity = stats.activity(request.user, settings, now)
    due = stats.forecast(request.user, settings, now)
    held = {i for i, (_, n) in enumerate(due) if settings.review_cap and n > settings.review_cap}
    buttons = stats.answers_per_button(request.user)
    retention = stats.true_retention_by_week(request.user, settings, now)
    calibration = stats.calibration(request.user)
    last_30 = [today - timedelta(days=i) for i in range(29, -1, -1)]
    retention_reviews = sum(n for _, n, _ in retention)
    return render(
        request,
        "flashcards/statistics.html",
        {
            "activity": activity,
            "heatmap": charts.heatmap(activity.reviews_per_day, end=today),
            "forecast": charts.bar_chart(
                [(d.strftime("%-d %b"), n) for d, n in due],
                title="Cards due per day, next 30 days",
                highlight=held,
            ),
            "held_back_days": len(held),
            "buttons": charts.bar_chart(
                [(BUTTON_NAMES[r], n) for r, n in buttons.items()],
                title="Answers per button",
            ),
            "retention": charts.bar_chart(
                [
                    (w.strftime("%-d %b"), round(100 * s) if s is not None else 0)
                    for w, _, s in retention
                ],
                title="True retention per week",
                unit="%",
            ),  # fmt: skip
            "minutes": charts.bar_chart(
                [
                    (d.strftime("%-d %b"), round(activity.seconds_per_day.get(d, 0) / 60, 1))
                    for d in last_30
                ],
                title="Minutes studied per day, last 30 days",
                unit=" min",
            ),  # fmt: skip
            "retention_reviews": retention_reviews,
            "retention_needed": stats.RETENTION_MIN_REVIEWS,
            "retention_enough": retention_reviews >= stats.RETENTION_MIN_REVIEWS,
            "due_total": sum(n for _, n in due),
            "minutes_total": sum(activity.seconds_per_day.get(d, 0) for d in last_30),
            "calibration": calibration,
            "calibration_needed": stats.CALIBRATION_MIN_ANSWERS,
            "calibration_any": any(c.enough for c in calibration),
            "calibration_chart": charts.paired_bar_chart(
                [
                    (
                        c.label,
                        round(100 * c.share) if c.share is not None else None,
                        round(100 * stats.IDEAL[c.confidence]),
                    )
                    for c in calibration
                ],
                title="Confidence calibration",
            ),  # fmt: skip
            "confidence_words": stats.CONFIDENCE_WORDS,
            "overconfident": stats.overconfident_questions(request.user),
            "total_reviews": sum(buttons.values()),
        },
    )
