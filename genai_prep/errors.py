"""Error pages that leak nothing, /healthz and /favicon.ico."""

import logging
import sys

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger("genai_prep")


DEADLOCK = "40P01"


def server_error(request) -> HttpResponse:
    """500, or 503 with a retry hint when the cause is an unreachable database, or 409 when the
    write met another session of the same learner (their account deleted meanwhile, or a
    deadlock PostgreSQL broke by rolling this request back: nothing of it was stored)."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and not connection.is_usable():
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    if isinstance(error, IntegrityError | OperationalError) and _account_gone(request):
        return _conflict(
            "Your account was deleted",
            "It was deleted in another window or tab, so this last change was not kept.",
        )
    if getattr(getattr(error, "__cause__", None), "sqlstate", None) == DEADLOCK:
        return _conflict(
            "Please try again",
            "Another window of yours changed the same data at the same moment. Nothing was "
            "saved from this request: try it again.",
        )
    return HttpResponse(render_to_string("500.html"), status=500)


def _conflict(title: str, message: str) -> HttpResponse:
    page = render_to_string("409.html", {"title": title, "message": message})
    return HttpResponse(page, status=409)


def _account_gone(request) -> bool:
    """Whether the signed-in learner's account no longer exists, once any deletion of it in
    progress has finished (the key-share lock waits for the deleting transaction's row lock)."""
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return False
        table = connection.ops.quote_name(user._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [user.pk])
            return cursor.fetchone() is None
    except DatabaseError:
        return False


@never_cache
@require_safe
def healthz(request) -> HttpResponse:
    """200 when the app can query its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        log.warning("health check failed: %s", error)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@require_safe
def favicon(request) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the app's icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
