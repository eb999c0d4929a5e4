"""Studying: the queue's next card, reveal, answer, undo and the weakest-cards drill."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from flashcards import (
    coach,
    editing,
    notes,
    own_cards,
    queue,
    readiness,
    reviews,
    scheduling,
    search,
    stats,
    tags,
)
from flashcards.fixture import SLUG
from flashcards.forms import AnswerForm, RevealForm, SearchForm, TagForm, UndoForm
from flashcards.models import (
    MY_QUESTIONS,
    Card,
    Question,
    QuestionRevision,
    Section,
    StudySettings,
    Subsection,
    Tag,
)

from .common import MAX_DURATION_MS, HtmxHttpRequest, _bad_request

DRILL_SESSION_KEY = "drill"
MORE_CHOICES = (5, 10, 20)  # "learn N more new cards now"; the first is the default


def _scope_from(request) -> queue.Scope | None:
    """Return the session scope named by the `scope` parameter, or raise Http404."""
    value = request.GET.get("scope") or request.POST.get("scope") or ""
    if not value:
        return None
    kind, _, key = value.partition(":")
    if kind == queue.SEARCH:
        return _search_scope(request, key)
    if not SLUG.match(key):
        raise Http404("Unknown study scope.")
    if kind == "tag":
        if not Tag.objects.filter(user=request.user, name=key).exists():
            raise Http404("You have no such tag.")
        return queue.Scope(kind, key, f"Tag: {key}")
    if kind == "mine" or (kind == "subsection" and key == own_cards.MY_QUESTIONS_KEY):
        if key != own_cards.MY_QUESTIONS_KEY:
            raise Http404("Unknown study scope.")
        return queue.Scope("mine", key, MY_QUESTIONS)
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
    if kind == queue.AHEAD.kind and key == queue.AHEAD.key:
        return queue.AHEAD
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


def _search_scope(request, text: str) -> queue.Scope:
    """A session over the cards a search finds (read again on each request, so a note edited
    meanwhile counts)."""
    query = search.parse(text)
    if not query or len(text) > SearchForm.base_fields["q"].max_length:
        raise Http404("Search for something to study.")
    ids = search.matching_ids(Question.visible.to(request.user).active(), query, request.user)
    return queue.Scope(queue.SEARCH, text, f"Search results for “{text}”", tuple(ids))


def _study_context(request, settings: StudySettings, now, scope, **extra) -> dict:
    counts = queue.today(request.user, settings, now, scope)
    item = queue.next_card(request.user, settings, now, counts, scope)
    context = {
        "today": counts,
        "item": item,
        "shown_at": int(now.timestamp() * 1000),
        "new_per_day": settings.new_per_day,
        "scope": scope,
        "study_url": _study_url(scope),
        "type_first": settings.type_before_reveal,
        **extra,
    }
    if item is None and scope is None:  # the done screen's offers
        context["ahead_scope"] = queue.AHEAD
        context["more_choices"] = MORE_CHOICES
    return context


def _study_template(request: HtmxHttpRequest) -> str:
    return "flashcards/study.html#study-panel" if request.htmx else "flashcards/study.html"


def _study_url(scope: queue.Scope | None) -> str:
    url = reverse("study")
    # The search text is quoted; section and subsection keys read as they are (section:key).
    return f"{url}?scope={quote(scope.param, safe=':')}" if scope else url


@require_GET
@login_required
def study(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    scope = _scope_from(request)
    return render(request, _study_template(request), _study_context(request, settings, now, scope))


@require_http_methods(["GET", "POST"])
@login_required
def reveal(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    """Show the card's back; a POST carries the learner's typed answer for the built-in coach
    (read, never stored: the review keeps only the coach's suggested rating)."""
    now = timezone.now()
    typed = ""
    if request.method == "POST":
        form = RevealForm(request.POST)
        if not form.is_valid():
            return _bad_request(request, "That answer is too long (10,000 characters at most) or "
                                         "contains characters that cannot be stored.")  # fmt: skip
        typed = form.cleaned_data["typed_answer"]
    found = queue.question_with_card(request.user, question_id)
    if found is None:
        raise Http404("No such question.")
    question, card = found
    if card is not None and card.suspended:
        return _bad_request(request, "This card is suspended.", status=404)
    settings = reviews.study_settings_for(request.user)
    scope = _scope_from(request)
    item = queue.StudyItem.of(question, card)
    policy = reviews.policy_for(settings, now)
    intervals = scheduling.preview(
        reviews.memory_of(card),
        now,
        seed=reviews.fuzz_seed(request.user.pk, question.pk, item.reps),
        policy=policy,
    )
    feedback = coach.coach_question(question, typed) if typed.strip() else None
    context = {
        "item": item,
        "changes": _changes_since_seen(question, item.seen_version, item.state),
        "revealed": True,
        "feedback": feedback,
        "suggested": feedback.rating if feedback else None,
        "buttons": [(scheduling.ANSWERS[r], intervals[r]) for r in scheduling.ANSWERS],
        "interval_note": scheduling.same_interval_note(intervals, policy),
        "shown_at": request.GET.get("shown_at") or request.POST.get("shown_at", ""),
        "scope": scope,
        "study_url": _study_url(scope),
        "tags": tags.tags_on(request.user, question),
        "tag_form": TagForm(),
        "note": notes.note_for(request.user, question.pk),
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
            suggested_rating=form.cleaned_data["suggested_rating"],
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
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "This undo came from an old page; reload it and try again.")
    shown_at = datetime.fromtimestamp(form.cleaned_data["shown_at"] / 1000, tz=UTC)
    try:
        undone = reviews.review_undo(
            user=request.user, settings=settings, now=now, page_shown_at=shown_at
        )
    except reviews.NothingToUndo as error:
        context = _study_context(request, settings, now, scope, notice=str(error))
        return render(request, _study_template(request), context, status=409)
    # Show the card that was undone, so it can be answered again.
    question = (
        Question.visible.to(request.user)
        .select_related("subsection__section")
        .get(pk=undone.question_id)
    )
    label = scheduling.ANSWERS[undone.rating].label
    notice = f"Undone: your answer “{label}” to “{question.prompt}”."
    context = _study_context(request, settings, now, scope, notice=notice)
    context["item"] = queue.StudyItem.of(question, undone.card)
    return render(request, _study_template(request), context)


# What the study screen's card actions do, and what the learner is told after each.
CARD_ACTIONS = {
    "suspend": "Suspended “{}”: it leaves every queue until you unsuspend it on its card page.",
    "bury": "Buried “{}” until tomorrow.",
    "known": "Marked “{}” as known: it comes back in a few days to check.",
}


@require_POST
@login_required
def card_action(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    """Suspend, bury or mark as known the card on screen, then show the next one."""
    now = timezone.now()
    action = request.POST.get("action", "")
    if action not in CARD_ACTIONS:
        return _bad_request(request, "Choose suspend, bury or I know this already.")
    question = get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)
    scope = _scope_from(request)
    settings = reviews.study_settings_for(request.user)
    if action == "suspend":
        reviews.card_suspend(user=request.user, question=question, suspended=True)
    elif action == "bury":
        reviews.card_bury(user=request.user, question=question, now=now, settings=settings)
    else:
        try:
            reviews.card_mark_known(user=request.user, question=question, now=now)
        except reviews.AnswerRejected as error:
            return _bad_request(request, str(error), status=409)
    notice = CARD_ACTIONS[action].format(question.prompt)
    if not request.htmx:
        messages.success(request, notice)
        return redirect(_study_url(scope))
    context = _study_context(request, settings, now, scope, notice=notice)
    return render(request, _study_template(request), context)


@require_POST
@login_required
def learn_more(request: HtmxHttpRequest) -> HttpResponse:
    """Raise today's new-card limit by the number chosen, and go back to studying."""
    try:
        count = int(request.POST.get("count", ""))
    except ValueError:
        count = 0
    if count not in MORE_CHOICES:
        return _bad_request(request, f"Choose how many more: {', '.join(map(str, MORE_CHOICES))}.")
    settings = reviews.study_settings_for(request.user)
    reviews.new_cards_add(settings=settings, count=count, now=timezone.now())
    return redirect("study")


@require_POST
@login_required
def drill(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    rows = readiness.bank_rows(request.user, queue.study_day(now, settings).start)
    ids = stats.weakest(rows, settings, now)
    if not ids:
        messages.info(request, "Study a few cards first: a drill picks your weakest studied ones.")
        return redirect("dashboard")
    request.session[DRILL_SESSION_KEY] = {"ids": ids, "since": now.isoformat()}
    return redirect(f"{reverse('study')}?scope=weakest:drill")
