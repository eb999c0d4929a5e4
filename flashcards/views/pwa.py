"""Installable on a phone: the web app manifest, the service worker and its offline page.

The service worker is served from the site root so its scope covers every page; it caches only
static files and the offline page, which holds no learner data, so nothing personal outlives a
logout in the browser's cache.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# light-dark() in app.css: --bg and --accent for each theme
THEME_COLOURS = {"light": "#f7f7f5", "dark": "#15161a"}
ACCENT = "#3346c9"
SHELL = ["css/app.css", "js/app.js", "django_htmx/htmx-2.min.js", "favicon.svg",
         "icons/icon-192.png", "icons/icon-512.png"]  # fmt: skip


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any maskable"}
        for size in (192, 512)
    ]  # fmt: skip
    data = {
        "name": "GenAI Interview Prep",
        "short_name": "Interview Prep",
        "description": "Generative-AI interview questions as spaced-repetition flashcards.",
        "id": "/",
        "start_url": reverse("study"),
        "scope": "/",
        "display": "standalone",
        "background_color": THEME_COLOURS["light"],
        "theme_color": ACCENT,
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(path) for path in SHELL]
    offline = reverse("offline")
    # The cache name follows the hashed file names, so a deploy replaces the old shell.
    version = hashlib.sha256(" ".join(shell).encode()).hexdigest()[:12]
    script = render_to_string(
        "flashcards/sw.js",
        {"shell": json.dumps(shell), "offline": json.dumps(offline), "version": version},
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What an installed app shows without a network; the same for everyone (it is cached)."""
    return render(request, "flashcards/offline.html")
