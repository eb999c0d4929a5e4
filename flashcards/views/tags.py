"""Tagging a card (on its page and on the back of a card during study)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from flashcards import tags
from flashcards.forms import TagForm
from flashcards.models import Question

from .cards import _back
from .common import HtmxHttpRequest


def _card(request, question_id: int) -> Question:
    return get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)


def _tags(request, question: Question, form: TagForm, error: str = "", status: int = 200):
    """The card's tags as a partial (htmx, or any refusal); otherwise back where it came from."""
    if not request.htmx and status == 200:
        return _back(request, question)
    context = {
        "question": question,
        "tags": tags.tags_on(request.user, question),
        "tag_form": form,
        "tag_error": error,
    }
    return render(request, "flashcards/_tags.html", context, status=status)


@require_POST
@login_required
def tag_add(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = _card(request, question_id)
    form = TagForm(request.POST)
    if not form.is_valid():
        return _tags(request, question, form, status=400)
    tags.tag_add(user=request.user, question=question, name=form.cleaned_data["name"])
    return _tags(request, question, TagForm())


@require_POST
@login_required
def tag_remove(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = _card(request, question_id)
    name = request.POST.get("name", "")
    if not tags.tag_remove(user=request.user, question=question, name=name):
        return _tags(request, question, TagForm(), "That tag is not on this card.", status=404)
    return _tags(request, question, TagForm())
