"""Importing own cards from a file: upload, a preview naming every problem, then confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from flashcards import card_import
from flashcards.forms import ImportForm

from .common import HtmxHttpRequest, _bad_request

# The checked file waits in the session between the preview and the confirmation, so what is
# created is exactly what was previewed (it is read and checked again on confirming).
SESSION_KEY = "card_import"
TEMPLATE = "flashcards/card_import.html"


def _preview(request, pending: dict) -> card_import.Preview:
    form = ImportForm({"placement": pending["placement"], "priority": pending["priority"]})
    form.full_clean()
    return card_import.read(
        pending["text"], user=request.user, subsection=form.subsections.get(pending["placement"]),
        priority=pending["priority"],
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def card_import_upload(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": ImportForm(), "limits": card_import})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form, "limits": card_import}, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > card_import.MAX_BYTES:  # refused before reading it
            raise card_import.ImportRefused(
                f"The file is {upload.size:,} bytes; at most {card_import.MAX_BYTES:,} are allowed."
            )
        text = card_import.decode(upload.read(card_import.MAX_BYTES + 1))
    except card_import.ImportRefused as error:
        return _bad_request(request, str(error))
    pending = {"text": text, "name": upload.name[:200], "placement": form.cleaned_data["placement"],
               "priority": form.cleaned_data["priority"]}  # fmt: skip
    preview = _preview(request, pending)
    if preview.ok:
        request.session[SESSION_KEY] = pending
    else:
        request.session.pop(SESSION_KEY, None)
    context = {"form": form, "preview": preview, "name": pending["name"], "limits": card_import}
    return render(request, TEMPLATE, context, status=200 if preview.ok else 400)


@require_POST
@login_required
def card_import_confirm(request: HtmxHttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return _bad_request(request, "There is no checked file to import: upload it again.")
    preview = _preview(request, pending)
    try:
        created = card_import.cards_import(user=request.user, preview=preview)
    except card_import.ImportRefused as error:
        return _bad_request(request, str(error))
    request.session.pop(SESSION_KEY, None)
    skipped = preview.duplicates + len(preview.rows) - created
    note = f" {skipped} already in your questions were skipped." if skipped else ""
    messages.success(request, f"Imported {created} question{'s' * (created != 1)}.{note}")
    return redirect("own_cards")
