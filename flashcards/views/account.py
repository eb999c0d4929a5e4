"""The learner's account: sign-up, settings, theme, the plan, their data and deletion."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flashcards import account, exports, queue, readiness, reviews
from flashcards.forms import (
    CheckedPasswordChangeForm,
    DeleteAccountForm,
    SignupForm,
    StudySettingsForm,
)
from flashcards.models import StudySettings
from genai_prep.client import client_ip

from .common import HtmxHttpRequest, _bad_request


@require_GET
@login_required
def whoami(request: HtmxHttpRequest) -> HttpResponse:
    """The least a signed-in page can cost (session, user, a tiny template): the benchmark floor.

    Rendered without the request context, so no context processor adds to it.
    """
    return HttpResponse(get_template("flashcards/whoami.html").render({"user": request.user}))


@require_GET
@login_required
def your_data(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request, "flashcards/your_data.html", {"form": DeleteAccountForm(user=request.user)}
    )


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    stream = exports.progress_zip(request.user)
    return _download(
        StreamingHttpResponse(stream, content_type="application/zip"), "genai-prep-progress.zip"
    )


@require_GET
@login_required
def export_json(request: HtmxHttpRequest) -> HttpResponse:
    stream = exports.progress_json(request.user)
    return _download(
        StreamingHttpResponse(stream, content_type="application/json; charset=utf-8"),
        "genai-prep-progress.json",
    )


@require_GET
@login_required
def export_anki(request: HtmxHttpRequest) -> HttpResponse:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deck.apkg"
        exports.anki_package(path)
        data = path.read_bytes()
    return _download(
        HttpResponse(data, content_type="application/octet-stream"), "genai-interview-prep.apkg"
    )


class PasswordChange(PasswordChangeView):
    """Django's password change; the old password counts toward the login lock-out."""

    form_class = CheckedPasswordChangeForm
    success_url = "/accounts/password/done/"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("old_password", "locked_out"):
            response.status_code = 429
        return response


@require_POST
@login_required
def delete_account(request: HtmxHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        status = 429 if form.has_error("password", "locked_out") else 400
        return render(request, "flashcards/your_data.html", {"form": form}, status=status)
    try:
        account.account_delete(user=request.user)
    except account.DeletionInterrupted:
        form.add_error(
            None, "Your account is busy in another window. Nothing was deleted: try again."
        )
        return render(request, "flashcards/your_data.html", {"form": form}, status=409)
    logout(request)
    messages.success(request, "Your account and all your study data were deleted.")
    return redirect("signup")


@require_http_methods(["GET", "POST"])
@login_required
def settings_view(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    form = StudySettingsForm(
        request.POST or None, instance=settings, today=queue.study_day(now, settings).date
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("settings")
    return render(request, "flashcards/settings.html", {"form": form})


THEME_ORDER = ["system", "dark", "light"]


@require_POST
@login_required
def theme_toggle(request: HtmxHttpRequest) -> HttpResponse:
    settings = reviews.study_settings_for(request.user)
    chosen = request.POST.get("theme")
    if chosen not in THEME_ORDER:
        return _bad_request(request, "Choose the system, dark or light theme.")
    settings.theme = chosen
    settings.save(update_fields=["theme"])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("dashboard")
    return redirect(target)


@require_POST
@login_required
def apply_plan(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    settings = reviews.study_settings_for(request.user)
    rows = readiness.bank_rows(request.user, now)
    plan = readiness.interview_plan(rows, settings, now)
    if plan is None:
        return _bad_request(request, "Set an interview date first.")
    settings.new_per_day = min(100, plan.new_per_day_needed)
    settings.save(update_fields=["new_per_day"])
    messages.success(request, f"Daily new-card limit set to {settings.new_per_day}.")
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not account.signup_allowed(
        client_ip(request), limit=django_settings.SIGNUPS_PER_HOUR
    ):
        form.add_error(None, "Too many sign-ups from your network in the last hour. Try later.")
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        StudySettings.objects.create(user=user, time_zone=form.cleaned_data["time_zone"])
        login(request, user, backend="flashcards.backends.LearnerBackend")
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})
