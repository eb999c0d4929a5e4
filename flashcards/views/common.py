"""What every view module shares: the request type and the plain error page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

# The longest pause we believe is one look at a card; longer means the learner walked away.
MAX_DURATION_MS = 10 * 60 * 1000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _bad_request(request, message: str, status: int = 400) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=status)
