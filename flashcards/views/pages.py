"""The front door: a signed-out visitor sees what the app is and tries one card."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from flashcards import scheduling
from flashcards.models import Question

from .common import HtmxHttpRequest
from .progress import dashboard


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard for a learner; for a visitor, the front page with one sample card."""
    if request.user.is_authenticated:
        return dashboard(request)
    question = (
        Question.objects.active()
        .select_related("subsection__section")
        .order_by("rank", "pk")
        .first()
    )
    # Rating the sample changes nothing (there is no account): the page says what would happen.
    intervals = scheduling.preview(
        scheduling.Memory(), timezone.now(), seed="sample", policy=scheduling.Policy(fuzzing=False)
    )
    rated = request.GET.get("rating", "")
    chosen = scheduling.ANSWERS.get(int(rated)) if rated in {"1", "2", "3", "4"} else None
    return render(
        request,
        "flashcards/front.html",
        {
            "question": question,
            "buttons": [(scheduling.ANSWERS[r], intervals[r]) for r in scheduling.ANSWERS],
            "chosen": chosen,
            "chosen_wait": intervals[chosen.rating] if chosen else None,
        },
    )
