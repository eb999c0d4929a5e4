"""The daily reminder: its settings, and the one-click unsubscribe link from the mail."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from flashcards import reminders, reviews
from flashcards.forms import ReminderForm
from flashcards.models import ReminderPreference


@require_http_methods(["GET", "POST"])
@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    preference = ReminderPreference.objects.filter(user=request.user).first()
    preference = preference or ReminderPreference(user=request.user)
    address = (
        EmailAddress.objects.filter(user=request.user, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )
    was_undeliverable = preference.undeliverable
    form = ReminderForm(request.POST or None, instance=preference, has_address=bool(address))
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Reminder settings saved.")
            return redirect("reminder_settings")
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "address": address,
        "undeliverable": was_undeliverable,
        "time_zone": reviews.study_settings_for(request.user).time_zone,
    }
    return render(request, "flashcards/reminders.html", context, status=status)


# The signed token in the address is the credential: a mail client's one-click POST (RFC 8058)
# carries no CSRF token and no session. GET only shows a button, so link scanners change nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminder_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    template = "flashcards/unsubscribe.html"
    if request.method == "GET":
        return render(request, template, {})
    try:
        reminders.unsubscribe(token, now=timezone.now())
    except reminders.BadToken as error:
        return render(request, template, {"error": str(error)}, status=400)
    return render(request, template, {"done": True})
