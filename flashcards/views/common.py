"""What every view module shares: the request type and the plain error page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from flashcards.htmx_errors import htmx_error

# The longest pause we believe is one look at a card; longer means the learner walked away.
MAX_DURATION_MS = 10 * 60 * 1000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _bad_request(request, message: str, status: int = 400) -> HttpResponse:
    """The refusal as a page, or for htmx as a message beside the card (which stays)."""
    if getattr(request, "htmx", False):
        return htmx_error(message, status)
    return render(request, "400.html", {"message": message}, status=status)
