"""Error pages that leak nothing, /healthz and /favicon.ico."""

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger("genai_prep")


def server_error(request) -> HttpResponse:
    """500, or 503 with a retry hint when the cause is an unreachable database."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and not connection.is_usable():
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


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
