"""Thin views: parse the request, call the domain functions, pick the template or partial."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from . import queue, reviews, scheduling, stats
from .forms import AnswerForm, SignupForm
from .models import Card, Question, StudySettings

# The longest pause we believe is one look at a card; longer means the learner walked away.
MAX_DURATION_MS = 10 * 60 * 1000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    return render(
        request,
        "flashcards/dashboard.html",
        {
            "today": queue.today(request.user, settings, now),
            "sections": stats.section_progress(request.user),
        },
    )


def _study_context(request, settings: StudySettings, now, **extra) -> dict:
    counts = queue.today(request.user, settings, now)
    item = queue.next_card(request.user, settings, now, counts)
    return {
        "today": counts,
        "item": item,
        "shown_at": int(now.timestamp() * 1000),
        "new_per_day": settings.new_per_day,
        **extra,
    }


def _study_template(request: HtmxHttpRequest) -> str:
    return "flashcards/study.html#study-panel" if request.htmx else "flashcards/study.html"


@require_GET
@login_required
def study(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    return render(request, _study_template(request), _study_context(request, settings, now))


@require_GET
@login_required
def reveal(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    now = timezone.now()
    question = get_object_or_404(
        Question.objects.active().select_related("subsection__section"), pk=question_id
    )
    card = Card.objects.filter(user=request.user, question=question).first()
    if card is not None and card.suspended:
        return render(request, "400.html", {"message": "This card is suspended."}, status=404)
    settings = reviews.study_settings_for(request.user)
    reps = card.reps if card else 0
    intervals = scheduling.preview(
        reviews.memory_of(card),
        now,
        seed=reviews.fuzz_seed(request.user.pk, question.pk, reps),
        policy=reviews.policy_for(settings),
    )
    counts = queue.today(request.user, settings, now)
    context = {
        "today": counts,
        "item": queue.StudyItem(question, reps, card.state if card else Card.State.NEW),
        "revealed": True,
        "buttons": [(scheduling.ANSWERS[r], intervals[r]) for r in scheduling.ANSWERS],
        "shown_at": request.GET.get("shown_at", ""),
    }
    return render(request, _study_template(request), context)


@require_POST
@login_required
def answer(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    now = timezone.now()
    question = get_object_or_404(Question.objects.active(), pk=question_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return render(request, "400.html", {"message": f"Invalid answer ({errors})."}, status=400)
    settings = reviews.study_settings_for(request.user)
    shown_at = form.cleaned_data["shown_at"]
    duration = None
    if shown_at:
        duration = min(max(0, int(now.timestamp() * 1000) - shown_at), MAX_DURATION_MS)
    try:
        reviews.card_answer(
            user=request.user,
            question=question,
            rating=form.cleaned_data["rating"],
            expected_reps=form.cleaned_data["reps"],
            now=now,
            duration_ms=duration,
            settings=settings,
        )
    except reviews.DuplicateAnswer as error:
        context = _study_context(request, settings, now, notice=str(error))
        return render(request, _study_template(request), context, status=409)
    except reviews.AnswerRejected as error:
        return render(request, "400.html", {"message": str(error)}, status=400)
    if not request.htmx:
        return redirect("study")
    context = _study_context(request, settings, now)
    response = render(request, _study_template(request), context)
    today = context["today"]
    return trigger_client_event(
        response, "cardAnswered", {"done": today.done, "remaining": today.remaining}
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        StudySettings.objects.create(user=user, time_zone=form.cleaned_data["time_zone"])
        login(request, user)
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})
