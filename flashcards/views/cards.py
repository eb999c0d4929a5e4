"""One card (details, suspend, known, reset, report) and browsing the bank."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from flashcards import account, knowledge, notes, queue, reviews, search, tags
from flashcards.forms import ReportForm, SearchForm, TagForm
from flashcards.models import Card, Question, Review, Tag

from .common import HtmxHttpRequest, _bad_request

HISTORY_PAGE = 50  # reviews per page of a card's history
# Offered when a search finds nothing: each finds something in the bank, and shows the syntax.
SEARCH_EXAMPLES = ("RLHF", "kv cache", "LoRA fine-tuning", '"chain of thought"', "attention -flash")


def _back(request, question: Question) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("card", args=[question.pk])
    return redirect(target or reverse("card", args=[question.pk]))


def _session_url(request) -> str | None:
    """The study session the card was opened from (only a study URL on this site)."""
    target = request.GET.get("next", "")
    study = reverse("study")
    if target.startswith(study) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


@require_GET
@login_required
def card_detail(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(
        Question.visible.to(request.user).active().select_related("subsection__section"),
        pk=question_id,
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
            "session_url": _session_url(request),
            "note": notes.note_for(request.user, question.pk),
            "now": timezone.now(),
            "tags": tags.tags_on(request.user, question),
            "tag_form": TagForm(),
        },
    )


@require_POST
@login_required
def card_suspend(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)
    action = request.POST.get("action")
    if action not in {"suspend", "unsuspend"}:
        return _bad_request(request, "Say whether to suspend or unsuspend the card.")
    reviews.card_suspend(user=request.user, question=question, suspended=action == "suspend")
    messages.success(request, f"Card {action}ed.")
    return _back(request, question)


@require_POST
@login_required
def card_known(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)
    try:
        reviews.card_mark_known(user=request.user, question=question, now=timezone.now())
    except reviews.AnswerRejected as error:
        return _bad_request(request, str(error))
    messages.success(request, "Marked as known: it comes back in a few days to check.")
    return _back(request, question)


@require_http_methods(["GET", "POST"])
@login_required
def card_reset(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)
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
    # Reports go to the bank's editors: an own card is its learner's to edit.
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


@require_GET
@login_required
@vary_on_headers("HX-Request")
def browse(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, "Invalid search.")
    questions = (
        Question.visible.to(request.user)
        .active()
        .with_card_for(request.user)
        .select_related("subsection__section")
        .in_state(form.cleaned_data["state"])
    )
    tag = None
    if form.cleaned_data["tag"]:
        tag = get_object_or_404(Tag, user=request.user, name=form.cleaned_data["tag"])
        questions = questions.tagged(tag)
    text = form.cleaned_data["q"].strip()
    query = search.parse(text)
    if text:
        found = notes.with_note_text(questions, request.user)
        questions = search.find(found, query, request.user)
        search.mark_results(questions, query)
    else:
        questions = list(questions.in_bank_order())
    retention = reviews.study_settings_for(request.user).desired_retention
    now = timezone.now()
    for question in questions:
        question.known = knowledge.question_known(question, retention, now)
    if form.cleaned_data["state"] == "known":
        questions = [q for q in questions if q.known]
    # A history restore asks for the whole page (htmx has no copy of it to swap into).
    partial = request.htmx and not request.htmx.history_restore_request
    template = "flashcards/browse.html#results" if partial else "flashcards/browse.html"
    context = {
        "form": form,
        "questions": questions,
        "searching": bool(text),
        "text": text,
        "query": query,
        "study_scope": f"{queue.SEARCH}:{text}",
        "examples": SEARCH_EXAMPLES,
        "tag": tag,
    }
    if not partial:
        context["tag_names"] = tags.tag_names(request.user)
    return render(request, template, context)
