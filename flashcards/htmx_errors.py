"""Errors answered to htmx requests: shown in the page's error region, never swapped over the
page. The learner keeps the card they were on and reads what went wrong beside it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

ERROR_TARGET = "#htmx-error"

# What to say when the response carries no message of its own (a CSRF failure, a debug page).
_GENERIC = {
    400: "That request could not be accepted.",
    403: "Your page has expired or you may not do that: reload the page and try again.",
    404: "That card or page is no longer there (it may have been suspended or removed).",
    409: "This changed in the meantime: reload the page to see where things are.",
    429: "Too many requests: wait a moment and try again.",
}


def htmx_error(message: str, status: int) -> HttpResponse:
    """An error for an htmx request, aimed at the error region (the rest of the page stays)."""
    response = HttpResponse(
        render_to_string("_htmx_error.html", {"message": message, "status": status}),
        status=status,
    )
    response["HX-Retarget"] = ERROR_TARGET
    response["HX-Reswap"] = "innerHTML"
    return response


class HtmxErrorMiddleware:
    """Turns a 404 or 403 raised during an htmx request, and any whole error page answered to one
    (Django's debug pages, the CSRF failure page), into an in-place error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            _is_htmx(request)
            and response.status_code in _GENERIC
            and "HX-Retarget" not in response
            and _whole_page(response)
        ):
            return htmx_error(_GENERIC[response.status_code], response.status_code)
        return response

    def process_exception(self, request, exception):
        if not _is_htmx(request):
            return None
        if isinstance(exception, Http404):
            return htmx_error(str(exception) or _GENERIC[404], 404)
        if isinstance(exception, PermissionDenied):
            return htmx_error(_GENERIC[403], 403)
        return None


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _whole_page(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    head = response.content[:200].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html"))
