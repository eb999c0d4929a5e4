"""A learner's note on a card: the editor, and saving it (in place on the study screen)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from flashcards import notes
from flashcards.models import NOTE_MAX_LENGTH, Question

from .cards import _back
from .common import HtmxHttpRequest, _bad_request


def _render(request: HtmxHttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context = {**context, "note_max_length": NOTE_MAX_LENGTH}
    template = "flashcards/note.html#note" if request.htmx else "flashcards/note.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def card_note(request: HtmxHttpRequest, question_id: int) -> HttpResponse:
    """GET: the note's editor (?show=1: the note as shown). POST: save it; empty deletes it."""
    question = get_object_or_404(Question.visible.to(request.user).active(), pk=question_id)
    if request.method == "GET":
        note = notes.note_for(request.user, question.pk)
        editing = request.GET.get("show") != "1"
        return _render(request, {"question": question, "note": note, "editing": editing})
    try:
        note = notes.note_save(
            user=request.user,
            question=question,
            text=request.POST.get("text", ""),
            now=timezone.now(),
        )
    except notes.NoteRefused as error:
        return _bad_request(request, str(error))
    if not request.htmx:
        messages.success(request, "Note saved." if note else "Note deleted.")
        return _back(request, question)
    return _render(request, {"question": question, "note": note})
