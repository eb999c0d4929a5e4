"""Request ids, access logs, request limits and private caching."""

import codecs
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils.http import parse_header_parameters

from .client import client_ip
from .logs import request_id

access_log = logging.getLogger("genai_prep.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (the proxy's X-Request-ID if sane) and log it once done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                    "client": client_ip(request),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id.reset(token)


class QueryCountMiddleware:
    """Report the number of SQL queries a request made in an X-Query-Count header (benchmarks).

    Only installed when QUERY_COUNT_HEADER is on; counting costs a wrapper call per query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response


class PrivatePagesMiddleware:
    """Signed-in pages and downloads are the learner's own: no cache, shared or local, keeps them.

    Responses that chose their own caching (the admin's never_cache) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class RequestLimitsMiddleware:
    """Refuse, before anything reads it, a body over MAX_REQUEST_BYTES (413) and a body in a
    character set Python does not know (400): Django would write the one to disk and fail on
    the other with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(400, "The Content-Length header is not a number.")
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // 1_000_000
            return _plain(413, f"The request is too large: at most {limit} MB is accepted.")
        _, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        charset = params.get("charset")
        if charset:
            try:
                codecs.lookup(charset)
            except LookupError:
                return _plain(400, f"Unknown character set {charset[:40]!r}: send UTF-8.")
        return self.get_response(request)


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
