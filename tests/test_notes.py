"""Personal notes (#16): written in place on the card's back or its page, only ever the learner's
own, sanitised like answers, limited in length, exported and deleted with the account."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from flashcards.models import NOTE_MAX_LENGTH, Note

from .conftest import PASSWORD, make_user

HTMX = {"HX-Request": "true"}


def _note_url(question) -> str:
    return reverse("card_note", args=[question.pk])


def test_a_note_saved_in_place_comes_back_as_the_shown_note(client_for, user, bank):
    client = client_for(user)
    editor = client.get(_note_url(bank[0]), headers=HTMX).content.decode()
    assert "<textarea" in editor and f'maxlength="{NOTE_MAX_LENGTH}"' in editor
    saved = client.post(_note_url(bank[0]), {"text": "My **vLLM** project"}, headers=HTMX)
    html = saved.content.decode()
    assert saved.status_code == 200 and html.lstrip().startswith('<section class="note"')
    assert "My <strong>vLLM</strong> project" in html and "Edit your note" in html
    assert Note.objects.get(user=user, question=bank[0]).text == "My **vLLM** project"
    client.post(_note_url(bank[0]), {"text": "Second thoughts"}, headers=HTMX)
    assert list(Note.objects.filter(user=user).values_list("text", flat=True)) == [
        "Second thoughts"
    ]


def test_the_note_shows_under_the_model_answer_when_revealed_and_on_the_card_page(
    client_for, user, bank, now
):
    Note.objects.create(user=user, question=bank[0], text="Remember *Paris*", updated_at=now)
    client = client_for(user)
    back = client.get(reverse("reveal", args=[bank[0].pk]), headers=HTMX).content.decode()
    assert back.index("model-answer") < back.index("Remember <em>Paris</em>")
    page = client.get(reverse("card", args=[bank[0].pk])).content.decode()
    assert "Remember <em>Paris</em>" in page
    other = client.get(reverse("reveal", args=[bank[1].pk]), headers=HTMX).content.decode()
    assert "Remember" not in other and "Add a note" in other


def test_saving_it_empty_deletes_the_note(client_for, user, bank, now):
    Note.objects.create(user=user, question=bank[0], text="old", updated_at=now)
    response = client_for(user).post(_note_url(bank[0]), {"text": "  \n "}, headers=HTMX)
    assert response.status_code == 200 and "No note yet" in response.content.decode()
    assert not Note.objects.exists()


def test_without_javascript_the_note_page_saves_and_goes_back_to_the_card(client_for, user, bank):
    client = client_for(user)
    page = client.get(_note_url(bank[0])).content.decode()
    assert "<html" in page and "<textarea" in page
    response = client.post(_note_url(bank[0]), {"text": "plain"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "card", args=[bank[0].pk]
    )


def test_markdown_in_a_note_is_sanitised(client_for, user, bank):
    text = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    html = client_for(user).post(_note_url(bank[0]), {"text": text}, headers=HTMX)
    body = html.content.decode()
    assert "<script>" not in body and "onerror" not in body and "javascript:" not in body


def test_a_note_over_the_limit_is_refused_with_the_limit_and_nothing_changes(
    client_for, user, bank, now
):
    Note.objects.create(user=user, question=bank[0], text="kept", updated_at=now)
    client = client_for(user)
    for headers in (HTMX, {}):
        response = client.post(
            _note_url(bank[0]), {"text": "x" * (NOTE_MAX_LENGTH + 1)}, headers=headers
        )
        assert response.status_code == 400
        assert f"at most {NOTE_MAX_LENGTH:,} characters" in response.content.decode()
    assert Note.objects.get(user=user).text == "kept"
    exactly = client.post(_note_url(bank[0]), {"text": "y" * NOTE_MAX_LENGTH}, headers=HTMX)
    assert exactly.status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_note_on_a_card_that_is_not_there(client_for, user, bank, method):
    bank[0].is_active = False
    bank[0].save()
    client = client_for(user)
    for url in (_note_url(bank[0]), "/cards/999999/note/"):
        assert (
            getattr(client, method)(url, {"text": "x"} if method == "post" else {}).status_code
            == 404
        )
    assert not Note.objects.exists()


def test_another_learner_reads_and_writes_only_their_own_note(client_for, user, bank, now):
    Note.objects.create(user=user, question=bank[0], text="ANN-SECRET-NOTE", updated_at=now)
    bob = make_user("bob")
    client = client_for(bob)
    for url in (_note_url(bank[0]), reverse("card", args=[bank[0].pk])):
        assert "ANN-SECRET-NOTE" not in client.get(url).content.decode()
    client.post(_note_url(bank[0]), {"text": "bob's"}, headers=HTMX)
    client.post(_note_url(bank[0]), {"text": ""}, headers=HTMX)  # deletes bob's, not ann's
    assert list(Note.objects.values_list("user__username", "text")) == [("ann", "ANN-SECRET-NOTE")]


def test_saving_a_note_needs_the_csrf_token(user, bank):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(_note_url(bank[0]), {"text": "forged"})
    assert response.status_code == 403 and not Note.objects.exists()


def test_notes_are_exported_and_go_with_the_account(client_for, user, bank, now):
    Note.objects.create(user=user, question=bank[0], text="=mine, with a comma", updated_at=now)
    Note.objects.create(user=make_user("bob"), question=bank[0], text="bob's", updated_at=now)
    client = client_for(user)
    data = json.loads(b"".join(client.get(reverse("export_json")).streaming_content))
    assert data["notes"] == [
        {
            "question_key": bank[0].key,
            "question": bank[0].prompt,
            "note": "'=mine, with a comma",  # a leading = is kept as text, not a formula
            "updated_at": now.isoformat(),
        }
    ]
    response = client.post(reverse("delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert list(Note.objects.values_list("text", flat=True)) == ["bob's"]


def test_a_note_on_an_own_card_is_saved_and_goes_with_the_card_and_the_account(client_for, db):
    from flashcards import account, own_cards
    from flashcards.models import Question

    from .conftest import make_own_card

    user = make_user()
    client = client_for(user)
    kept, dropped = make_own_card(user), make_own_card(user)
    for question in (kept, dropped):
        response = client.post(reverse("card_note", args=[question.pk]), {"text": "Mine"})
        assert response.status_code == 302
    assert Note.objects.filter(user=user).count() == 2
    own_cards.own_card_delete(question=dropped)
    assert not Question.visible.to(user).filter(pk=dropped.pk).exists()
    assert list(Note.objects.filter(user=user).values_list("question", flat=True)) == [kept.pk]
    account.account_delete(user=user)
    assert not Note.objects.exists() and not Question.visible.to(user).filter(owner=user).exists()
