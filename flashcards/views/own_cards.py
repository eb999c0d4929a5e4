"""A learner's own cards: the "My questions" list, writing, editing and deleting them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from flashcards import own_cards
from flashcards.forms import OwnCardForm
from flashcards.models import Question

from .common import HtmxHttpRequest, _bad_request


def _own_card(request, question_id: int) -> Question:
    """The learner's own card, or 404 (the bank's questions and other learners' cards alike)."""
    return get_object_or_404(Question.visible.to(request.user), pk=question_id, owner=request.user)


@require_GET
@login_required
def own_card_list(request: HtmxHttpRequest) -> HttpResponse:
    questions = list(own_cards.own_cards_of(request.user))
    return render(request, "flashcards/own_cards.html", {"questions": questions})


@require_http_methods(["GET", "POST"])
@login_required
def own_card_new(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "flashcards/own_card_form.html", {"form": OwnCardForm()})
    form = OwnCardForm(request.POST)
    if not form.is_valid():
        return render(request, "flashcards/own_card_form.html", {"form": form}, status=400)
    question = own_cards.own_card_create(user=request.user, card=form.own_card())
    messages.success(request, "Your question is saved: it comes up as a new card.")
    return redirect("card", question.pk)


@require_http_methods(["GET", "POST"])
@login_required
def own_card_edit(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = _own_card(request, question_id)
    if request.method == "GET":
        form = OwnCardForm(initial=OwnCardForm.initial_for(question))
        context = {"form": form, "question": question}
        return render(request, "flashcards/own_card_form.html", context)
    form = OwnCardForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "question": question}
        return render(request, "flashcards/own_card_form.html", context, status=400)
    own_cards.own_card_update(question=question, card=form.own_card())
    messages.success(request, "Saved. Your progress on this card is kept.")
    return redirect("card", question.pk)


@require_http_methods(["GET", "POST"])
@login_required
def own_card_delete(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    question = _own_card(request, question_id)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return _bad_request(request, "Confirm the delete to go ahead.")
        own_cards.own_card_delete(question=question)
        messages.success(request, "Deleted your question, with its progress and tags.")
        return redirect("own_cards")
    return render(request, "flashcards/own_card_delete.html", {"question": question})
