"""Thin views: parse the request, call the domain functions, pick the template or partial."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from . import (
    account,
    charts,
    editing,
    exports,
    practice,
    queue,
    readiness,
    reviews,
    scheduling,
    stats,
)
from .fixture import SLUG
from .forms import (
    AnswerForm,
    DeleteAccountForm,
    FollowUpForm,
    GradeForm,
    ReportForm,
    RevealForm,
    SearchForm,
    SignupForm,
    StartInterviewForm,
    StudySettingsForm,
)
from .models import (
    Card,
    Interview,
    InterviewAnswer,
    Question,
    QuestionRevision,
    Review,
    Section,
    StudySettings,
    Subsection,
)

# The longest pause we believe is one look at a card; longer means the learner walked away.
MAX_DURATION_MS = 10 * 60 * 1000
DRILL_SESSION_KEY = "drill"
HISTORY_PAGE = 50
BUTTON_NAMES = {1: "Didn't know", 2: "Low", 3: "Medium", 4: "High"}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _bad_request(request, message: str, status: int = 400) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=status)


@require_GET
@login_required
def whoami(request: HtmxHttpRequest) -> HttpResponse:
    """The least a signed-in page can cost (session, user, a tiny template): the benchmark floor.

    Rendered without the request context, so no context processor adds to it.
    """
    return HttpResponse(get_template("flashcards/whoami.html").render({"user": request.user}))


# --- Dashboard ---------------------------------------------------------------------------------


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    window_start = queue.study_day(now, settings).end - timedelta(days=30)
    rows = readiness.bank_rows(request.user, window_start)
    trend = readiness.readiness_trend(rows, request.user, settings, now)
    by_id = {r.question_id: r for r in rows}
    leeches = stats.leeches(rows)
    return render(
        request,
        "flashcards/dashboard.html",
        {
            "today": queue.today(request.user, settings, now),
            "readiness": readiness.readiness(rows, now),
            "trend_chart": charts.bar_chart(
                [(day.strftime("%-d %b"), round(100 * value)) for day, value in trend],
                title="Readiness over the last 30 days",
                unit="%",
            ),
            "trend_text": _trend_text(trend),
            "plan": readiness.interview_plan(rows, settings, now),
            "settings": settings,
            "mastery": stats.mastery_map(rows, settings, now),
            "leeches": [by_id[q] for q in leeches],
            "leech_questions": Question.objects.filter(pk__in=leeches).order_by("rank")
            if leeches
            else [],
            "has_studied": any(r.state != Card.State.NEW for r in rows),
        },
    )


def _trend_text(trend: list) -> str:
    change = round(100 * (trend[-1][1] - trend[0][1])) if trend else 0
    if change == 0:
        return "Unchanged over 30 days."
    return f"{'Up' if change > 0 else 'Down'} {abs(change)} points in 30 days."


# --- Studying ----------------------------------------------------------------------------------


def _scope_from(request) -> queue.Scope | None:
    """Return the session scope named by the `scope` parameter, or raise Http404."""
    value = request.GET.get("scope") or request.POST.get("scope") or ""
    if not value:
        return None
    kind, _, key = value.partition(":")
    if not SLUG.match(key):
        raise Http404("Unknown study scope.")
    if kind == "section":
        section = Section.objects.filter(key=key).first()
        if section is None:
            raise Http404("No such section.")
        return queue.Scope(kind, key, section.title)
    if kind == "subsection":
        subsection = Subsection.objects.filter(key=key).first()
        if subsection is None:
            raise Http404("No such subsection.")
        return queue.Scope(kind, key, subsection.title)
    if kind == "weakest" and key == "drill":
        drill = request.session.get(DRILL_SESSION_KEY)
        if not drill:
            raise Http404("There is no drill in progress.")
        return queue.Scope(
            kind,
            key,
            "Drill my weakest",
            tuple(drill["ids"]),
            datetime.fromisoformat(drill["since"]),
        )
    raise Http404("Unknown study scope.")


def _study_context(request, settings: StudySettings, now, scope, **extra) -> dict:
    counts = queue.today(request.user, settings, now, scope)
    return {
        "today": counts,
        "item": queue.next_card(request.user, settings, now, counts, scope),
        "shown_at": int(now.timestamp() * 1000),
        "new_per_day": settings.new_per_day,
        "scope": scope,
        **extra,
    }


def _study_template(request: HtmxHttpRequest) -> str:
    return "flashcards/study.html#study-panel" if request.htmx else "flashcards/study.html"


def _study_url(scope: queue.Scope | None) -> str:
    url = reverse("study")
    return f"{url}?scope={scope.param}" if scope else url


@require_GET
@login_required
def study(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    scope = _scope_from(request)
    return render(request, _study_template(request), _study_context(request, settings, now, scope))


@require_GET
@login_required
def reveal(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    now = timezone.now()
    found = queue.question_with_card(request.user, question_id)
    if found is None:
        raise Http404("No such question.")
    question, card = found
    if card is not None and card.suspended:
        return _bad_request(request, "This card is suspended.", status=404)
    settings = reviews.study_settings_for(request.user)
    scope = _scope_from(request)
    item = queue.StudyItem.of(question, card)
    intervals = scheduling.preview(
        reviews.memory_of(card),
        now,
        seed=reviews.fuzz_seed(request.user.pk, question.pk, item.reps),
        policy=reviews.policy_for(settings, now),
    )
    context = {
        "item": item,
        "changes": _changes_since_seen(question, item.seen_version, item.state),
        "revealed": True,
        "buttons": [(scheduling.ANSWERS[r], intervals[r]) for r in scheduling.ANSWERS],
        "shown_at": request.GET.get("shown_at", ""),
        "scope": scope,
    }
    if request.htmx:
        # Only the card changes when the answer is revealed; the progress bar stays as it is.
        return render(request, "flashcards/study.html#study-card", context)
    context["today"] = queue.today(request.user, settings, now, scope)
    return render(request, "flashcards/study.html", context)


def _changes_since_seen(question: Question, seen_version: int, state: int) -> list | None:
    """What changed in the answer since the learner last answered this card, if anything."""
    if state == Card.State.NEW or not 0 < seen_version < question.version:
        return None
    seen = QuestionRevision.objects.filter(question=question, version=seen_version).first()
    return editing.answer_diff(seen.answer, question.answer) if seen else []


@require_POST
@login_required
def answer(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    now = timezone.now()
    form = AnswerForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return _bad_request(request, f"Invalid answer ({errors}).")
    scope = _scope_from(request)
    settings = reviews.study_settings_for(request.user)
    shown_at = form.cleaned_data["shown_at"]
    duration = None
    if shown_at:
        duration = min(max(0, int(now.timestamp() * 1000) - shown_at), MAX_DURATION_MS)
    try:
        reviews.card_answer(
            user=request.user,
            question_id=question_id,
            rating=form.cleaned_data["rating"],
            expected_reps=form.cleaned_data["reps"],
            now=now,
            duration_ms=duration,
            settings=settings,
        )
    except reviews.QuestionNotFound as error:
        raise Http404(str(error)) from None
    except reviews.DuplicateAnswer as error:
        context = _study_context(request, settings, now, scope, notice=str(error))
        return render(request, _study_template(request), context, status=409)
    except reviews.AnswerRejected as error:
        return _bad_request(request, str(error))
    if not request.htmx:
        return redirect(_study_url(scope))
    context = _study_context(request, settings, now, scope)
    response = render(request, _study_template(request), context)
    today = context["today"]
    return trigger_client_event(
        response, "cardAnswered", {"done": today.done, "remaining": today.remaining}
    )


@require_POST
@login_required
def undo(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    scope = _scope_from(request)
    try:
        card = reviews.review_undo(user=request.user, settings=settings, now=now)
    except reviews.NothingToUndo as error:
        context = _study_context(request, settings, now, scope, notice=str(error))
        return render(request, _study_template(request), context, status=409)
    # Show the card that was undone, so it can be answered again.
    context = _study_context(request, settings, now, scope, notice="Answer undone.")
    context["item"] = queue.StudyItem(
        Question.objects.select_related("subsection__section").get(pk=card.question_id),
        card.reps,
        card.state,
    )
    return render(request, _study_template(request), context)


@require_POST
@login_required
def drill(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    rows = readiness.bank_rows(request.user, queue.study_day(now, settings).start)
    ids = stats.weakest(rows, now)
    if not ids:
        messages.info(request, "Study a few cards first: a drill picks your weakest studied ones.")
        return redirect("dashboard")
    request.session[DRILL_SESSION_KEY] = {"ids": ids, "since": now.isoformat()}
    return redirect(f"{reverse('study')}?scope=weakest:drill")


# --- Single cards ------------------------------------------------------------------------------


def _back(request, question: Question) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("card", args=[question.pk])
    return redirect(target or reverse("card", args=[question.pk]))


@require_GET
@login_required
def card_detail(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.active().select_related("subsection__section"), pk=question_id
    )
    card = Card.objects.filter(user=request.user, question=question).first()
    history = Review.objects.filter(user=request.user, question=question)
    before = request.GET.get("before")
    if before:
        try:
            history = history.filter(reviewed_at__lt=datetime.fromisoformat(before))
        except ValueError:
            return _bad_request(request, "The 'before' date is not a valid ISO date and time.")
    page = list(history.order_by("-reviewed_at")[: HISTORY_PAGE + 1])
    return render(
        request,
        "flashcards/card.html",
        {
            "question": question,
            "card": card,
            "history": page[:HISTORY_PAGE],
            "older": page[HISTORY_PAGE - 1].reviewed_at if len(page) > HISTORY_PAGE else None,
            "paged": bool(before),
        },
    )


@require_POST
@login_required
def card_suspend(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.active(), pk=question_id)
    action = request.POST.get("action")
    if action not in {"suspend", "unsuspend"}:
        return _bad_request(request, "Say whether to suspend or unsuspend the card.")
    reviews.card_suspend(user=request.user, question=question, suspended=action == "suspend")
    messages.success(request, f"Card {action}ed.")
    return _back(request, question)


@require_POST
@login_required
def card_known(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.active(), pk=question_id)
    try:
        reviews.card_mark_known(user=request.user, question=question, now=timezone.now())
    except reviews.AnswerRejected as error:
        return _bad_request(request, str(error))
    messages.success(request, "Marked as known: it comes back in a few days to check.")
    return _back(request, question)


@require_http_methods(["GET", "POST"])
@login_required
def card_reset(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.active(), pk=question_id)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return _bad_request(request, "Confirm the reset to go ahead.")
        reviews.card_reset(user=request.user, question=question)
        messages.success(request, "Card reset: it is new again. Its history is kept.")
        return redirect("card", question.pk)
    return render(request, "flashcards/card_reset.html", {"question": question})


@require_http_methods(["GET", "POST"])
@login_required
def card_report(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.active(), pk=question_id)
    if request.method == "GET":  # the form, opened from the back of a card
        context = {"question": question, "report_form": ReportForm(), "report_open": True}
        partial = "flashcards/report.html#report-form"
        return render(request, partial if request.htmx else "flashcards/report.html", context)
    form = ReportForm(request.POST)
    template = "flashcards/report.html#report" if request.htmx else "flashcards/report.html"
    context = {"question": question, "report_form": form}
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        account.report_create(
            user=request.user,
            question=question,
            kind=form.cleaned_data["kind"],
            comment=form.cleaned_data["comment"],
            now=timezone.now(),
        )
    except account.ReportRefused as error:
        return render(request, template, {**context, "refused": str(error)}, status=429)
    return render(request, template, {**context, "reported": True})


# --- Your data -----------------------------------------------------------------------------------


@require_GET
@login_required
def your_data(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request, "flashcards/your_data.html", {"form": DeleteAccountForm(user=request.user)}
    )


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    stream = exports.progress_zip(request.user)
    return _download(
        StreamingHttpResponse(stream, content_type="application/zip"), "genai-prep-progress.zip"
    )


@require_GET
@login_required
def export_json(request: HtmxHttpRequest) -> HttpResponse:
    stream = exports.progress_json(request.user)
    return _download(
        StreamingHttpResponse(stream, content_type="application/json; charset=utf-8"),
        "genai-prep-progress.json",
    )


@require_GET
@login_required
def export_anki(request: HtmxHttpRequest) -> HttpResponse:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deck.apkg"
        exports.anki_package(path)
        data = path.read_bytes()
    return _download(
        HttpResponse(data, content_type="application/octet-stream"), "genai-interview-prep.apkg"
    )


@require_POST
@login_required
def delete_account(request: HtmxHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "flashcards/your_data.html", {"form": form}, status=400)
    account.account_delete(user=request.user)
    logout(request)
    messages.success(request, "Your account and all your study data were deleted.")
    return redirect("signup")


# --- Browse, statistics, settings --------------------------------------------------------------


@require_GET
@login_required
def browse(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, "Invalid search.")
    questions = (
        Question.objects.active()
        .with_card_for(request.user)
        .select_related("subsection__section")
        .in_state(form.cleaned_data["state"])
    )
    text = form.cleaned_data["q"].strip()
    questions = questions.matching(text) if text else questions.in_bank_order()
    template = "flashcards/browse.html#results" if request.htmx else "flashcards/browse.html"
    return render(
        request, template, {"form": form, "questions": list(questions), "searching": bool(text)}
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
            "calibration": calibration,
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


@require_http_methods(["GET", "POST"])
@login_required
def settings_view(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    form = StudySettingsForm(
        request.POST or None, instance=settings, today=queue.study_day(now, settings).date
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("settings")
    return render(request, "flashcards/settings.html", {"form": form})


THEME_ORDER = ["system", "dark", "light"]


@require_POST
@login_required
def theme_toggle(request: HtmxHttpRequest) -> HttpResponse:
    settings = reviews.study_settings_for(request.user)
    chosen = request.POST.get("theme")
    if chosen not in THEME_ORDER:
        return _bad_request(request, "Choose the system, dark or light theme.")
    settings.theme = chosen
    settings.save(update_fields=["theme"])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("dashboard")
    return redirect(target)


@require_POST
@login_required
def apply_plan(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    rows = readiness.bank_rows(request.user, now)
    plan = readiness.interview_plan(rows, settings, now)
    if plan is None:
        return _bad_request(request, "Set an interview date first.")
    settings.new_per_day = min(100, plan.new_per_day_needed)
    settings.save(update_fields=["new_per_day"])
    messages.success(request, f"Daily new-card limit set to {settings.new_per_day}.")
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not account.signup_allowed(
        request.META.get("REMOTE_ADDR", ""), limit=django_settings.SIGNUPS_PER_HOUR
    ):
        form.add_error(None, "Too many sign-ups from your network in the last hour. Try later.")
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        StudySettings.objects.create(user=user, time_zone=form.cleaned_data["time_zone"])
        login(request, user, backend="flashcards.backends.LearnerBackend")
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})


# --- Practice interviews -------------------------------------------------------------------------


def _bank_sections():
    return (
        Section.objects.filter(subsections__questions__is_active=True)
        .distinct()
        .order_by("position")
    )


def _interview_for(request, interview_id: int) -> Interview:
    return get_object_or_404(Interview, pk=interview_id, user=request.user)


def _practice_answer(request, interview_id: int, position: int) -> InterviewAnswer:
    return get_object_or_404(
        InterviewAnswer.objects.select_related("question", "interview"),
        interview__pk=interview_id, interview__user=request.user, position=position,
    )  # fmt: skip


@require_GET
@login_required
def practice_home(request: HtmxHttpRequest) -> HttpResponse:
    interviews = Interview.objects.filter(user=request.user).prefetch_related("answers")
    past = [(i, practice.score(list(i.answers.all()))) for i in interviews.order_by("-started_at")]
    form = StartInterviewForm(sections=_bank_sections())
    return render(request, "flashcards/practice_home.html", {"form": form, "past": past})


@require_POST
@login_required
def practice_start(request: HtmxHttpRequest) -> HttpResponse:
    form = StartInterviewForm(request.POST, sections=_bank_sections())
    if not form.is_valid():
        return _bad_request(request, "Choose a length of 5, 10 or 15 and a focus from the list.")
    focus_key = form.cleaned_data["focus"]
    label = dict(form.fields["focus"].choices)[focus_key]
    try:
        interview = practice.interview_start(
            user=request.user, length=form.cleaned_data["length"],
            focus=practice.Focus(focus_key, label), now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error))
    return redirect("practice_step", interview.pk)


@require_GET
@login_required
def practice_step(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    now = timezone.now()
    answer = practice.current_answer(interview, now)
    if answer is None:
        practice.interview_finish(interview=interview, now=now)
        return redirect("practice_report", interview.pk)
    context = {
        "interview": interview,
        "answer": answer,
        "question": answer.question,
        "number": answer.position + 1,
        "total": len(interview.question_ids),
        "suggested_seconds": practice.SUGGESTED_SECONDS,
        "shown_ms": int(answer.shown_at.timestamp() * 1000),
        "grade_form": GradeForm(points=answer.question.key_points),
        "follow_up_form": FollowUpForm(),
    }
    return render(request, "flashcards/practice_step.html", context)


@require_POST
@login_required
def practice_reveal(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "That answer is too long (10,000 characters at most) or "
                                     "contains characters that cannot be stored.")  # fmt: skip
    practice.answer_reveal(
        answer=answer, typed=form.cleaned_data["typed_answer"], now=timezone.now()
    )
    return redirect("practice_step", interview_id)


@require_POST
@login_required
def practice_grade(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    form = GradeForm(request.POST, points=answer.question.key_points)
    if not form.is_valid():
        return _bad_request(request, "That checklist has points this question does not have, "
                                     "or no verdict was given.")  # fmt: skip
    try:
        practice.answer_grade(
            answer=answer, covered=form.cleaned_data["covered"],
            would_pass=form.cleaned_data["verdict"] == "pass", now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error), status=409)
    return redirect("practice_step", interview_id)


@require_POST
@login_required
def practice_follow_up(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _bad_request(
            request, "Say how the follow-up went (and keep it under 10,000 characters)."
        )
    try:
        practice.follow_up_record(
            answer=answer, text=form.cleaned_data["answer"],
            passed=form.cleaned_data["verdict"] == "pass", now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error), status=409)
    return redirect("practice_step", interview_id)


@require_GET
@login_required
def practice_report(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    answers = list(interview.answers.select_related("question", "review"))
    change = None
    if interview.readiness_after is not None:
        change = round(100 * (interview.readiness_after - interview.readiness_before))
    return render(
        request,
        "flashcards/practice_report.html",
        {
            "interview": interview,
            "answers": answers,
            "score": practice.score(answers),
            "revisit": practice.to_revisit(answers),
            "change": change,
        },
    )


@require_POST
@login_required
def practice_replay(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    replay = practice.interview_replay(interview=interview, now=timezone.now())
    return redirect("practice_step", replay.pk)
