"""Problem reports, data exports and account deletion."""

import csv
import io
import json
import sqlite3
import zipfile
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from flashcards import account, tags
from flashcards.models import (
    Card,
    Question,
    Reminder,
    ReminderPreference,
    Report,
    Review,
    Subsection,
    Tag,
)

from .conftest import PASSWORD, answer, make_bulk_history, make_own_card, make_user


def _report(client, question, **data):
    return client.post(
        reverse("card_report", args=[question.pk]),
        {"kind": "wrong", "comment": "", **data},
        headers={"HX-Request": "true"},
    )


def test_a_learner_reports_a_problem_once_per_version(client_for, user, bank):
    client = client_for(user)
    response = _report(client, bank[0], comment="The KL term has the wrong sign.")
    assert response.status_code == 200
    assert 'data-testid="report-thanks"' in response.content.decode()
    report = Report.objects.get()
    assert (report.user, report.question, report.version, report.status) == (
        user, bank[0], 1, "open",
    )  # fmt: skip
    again = _report(client, bank[0], kind="unclear")
    assert again.status_code == 429
    assert "already reported this version" in again.content.decode()
    bank[0].version = 2
    bank[0].save()
    assert _report(client, bank[0], kind="outdated").status_code == 200
    assert Report.objects.count() == 2


def test_reports_are_rate_limited(client_for, user, bank):
    client = client_for(user)
    for question in bank[: account.REPORTS_PER_HOUR]:
        assert _report(client, question).status_code == 200
    refused = _report(client, bank[account.REPORTS_PER_HOUR])
    assert refused.status_code == 429
    assert "many reports in the last hour" in refused.content.decode()
    assert Report.objects.count() == account.REPORTS_PER_HOUR


def test_a_bad_report_gets_a_field_error(client_for, user, bank):
    response = _report(client_for(user), bank[0], kind="rude", comment="x" * 3000)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and "at most 2000 characters" in html
    assert Report.objects.count() == 0


def test_reports_appear_in_the_admin_queue(client, bank, db):
    learner = make_user()
    Report.objects.create(user=learner, question=bank[0], version=1, kind="wrong", comment="Typo")
    staff = get_user_model().objects.create_user("boss", password=PASSWORD, is_staff=True,
                                                 is_superuser=True)  # fmt: skip
    client.force_login(staff)
    html = client.get(reverse("admin:flashcards_report_changelist"), {"status__exact": "open"})
    html = html.content.decode()
    assert "Typo" in html
    assert reverse("admin:flashcards_question_change", args=[bank[0].pk]) in html
    action = {"action": "resolve_reports", "_selected_action": [Report.objects.get().pk]}
    client.post(reverse("admin:flashcards_report_changelist"), action)
    assert Report.objects.get().status == "resolved"


def _zip_tables(response) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    tables = {}
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so spreadsheets read accents"
        tables[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return tables


def test_the_csv_export_streams_the_learners_own_rows(client_for, bank, now):
    ann, bob = make_user("ann"), make_user("bob")
    answer(ann, bank[0], 3, now)
    answer(ann, bank[0], 1, now + timedelta(minutes=12))
    answer(bob, bank[1], 4, now)
    response = client_for(ann).get(reverse("export_csv"))
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    tables = _zip_tables(response)
    assert set(tables) == {
        "cards.csv", "reviews.csv", "settings.csv", "email_addresses.csv", "linked_accounts.csv",
        "reminder_settings.csv", "reminders.csv", "practice_answers.csv", "reports.csv",
        "own_cards.csv", "tags.csv", "llm_feedback.csv", "notes.csv",
    }  # fmt: skip
    reviews = tables["reviews.csv"]
    assert reviews[0][:4] == ["reviewed_at", "question_key", "question", "known"]
    assert len(reviews) == 3
    assert reviews[1][0] == now.isoformat() and reviews[1][1] == bank[0].key
    assert reviews[2][3] == "False"
    cards = tables["cards.csv"]
    assert cards[0][:5] == ["question_key", "question", "section", "subsection", "state"]
    assert len(cards) == 2  # ann's one card: not bob's
    card = Card.objects.get(user=ann, question=bank[0])
    assert card.state == Card.State.LEARNING  # Good, then Again on its learning step
    assert cards[1][:5] == [bank[0].key, bank[0].prompt, bank[0].subsection.section.title,
                            bank[0].subsection.title, "learning"]  # fmt: skip
    assert cards[1][9:11] == [str(card.reps), str(card.lapses)] == ["2", "0"]
    assert tables["settings.csv"][1][:2] == ["10", ""]


def test_the_exports_hold_the_learners_own_cards_and_tags_only(client_for, bank, now):
    ann, bob = make_user("ann"), make_user("bob")
    mine = make_own_card(ann, prompt="=Why shard?", key_points=["tenant", "time"], priority="high")
    placed = make_own_card(ann, subsection=bank[0].subsection)
    tags.tag_add(user=ann, question=mine, name="acme")
    tags.tag_add(user=ann, question=bank[0], name="acme")
    make_own_card(bob, prompt="BOB-OWN-CARD")
    tags.tag_add(user=bob, question=bank[0], name="bob-tag")
    tables = _zip_tables(client_for(ann).get(reverse("export_csv")))
    own = tables["own_cards.csv"]
    assert own[0] == ["key", "prompt", "answer", "key_points", "follow_up", "section",
                      "subsection", "priority"]  # fmt: skip
    assert own[1][:2] == [mine.key, "'=Why shard?"]  # a formula-like cell stays text
    assert own[1][3:] == ["tenant\ntime", "", "", "", "high"]
    assert own[2][5:] == [bank[0].subsection.section.title, bank[0].subsection.title, "normal"]
    assert len(own) == 3 and placed.key == own[2][0]
    assert sorted(tables["tags.csv"][1:]) == sorted(
        [["acme", mine.key, "'=Why shard?"], ["acme", bank[0].key, bank[0].prompt]]
    )
    data = json.loads(b"".join(client_for(ann).get(reverse("export_json")).streaming_content))
    assert [c["key"] for c in data["own_cards"]] == [mine.key, placed.key]
    assert "BOB-OWN-CARD" not in json.dumps(data) and "bob-tag" not in json.dumps(data)


def test_the_json_export_holds_the_same(client_for, user, bank, now):
    answer(user, bank[0], 3, now)
    response = client_for(user).get(reverse("export_json"))
    data = json.loads(b"".join(response.streaming_content))
    assert [r["question_key"] for r in data["reviews"]] == [bank[0].key]
    assert data["reviews"][0]["reviewed_at"] == now.isoformat()
    assert data["cards"][0]["state"] == "learning"
    assert data["settings"][0]["desired_retention"] == 0.9


def test_the_exports_hold_the_learners_addresses_and_linked_sign_ins_only(client_for, db):
    ann, bob = make_user("ann"), make_user("bob")
    EmailAddress.objects.create(user=ann, email="ann@example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=bob, email="bob@example.com", verified=True, primary=True)
    SocialAccount.objects.create(user=ann, provider="github", uid="4242")
    ReminderPreference.objects.create(user=ann, enabled=True, hour=7)
    Reminder.objects.create(user=ann, study_day=date(2026, 11, 30), status="sent", attempts=1)
    Reminder.objects.create(user=bob, study_day=date(2026, 11, 30), status="sent", attempts=1)
    data = json.loads(b"".join(client_for(ann).get(reverse("export_json")).streaming_content))
    assert data["email_addresses"] == [
        {"email": "ann@example.com", "verified": True, "primary": True}
    ]
    assert [(a["provider"], a["uid"]) for a in data["linked_accounts"]] == [("github", "4242")]
    assert data["reminder_settings"] == [{"enabled": True, "hour": 7, "undeliverable": False}]
    assert [(r["study_day"], r["status"]) for r in data["reminders"]] == [("2026-11-30", "sent")]
    tables = _zip_tables(client_for(ann).get(reverse("export_csv")))
    assert tables["email_addresses.csv"][1] == ["ann@example.com", "True", "True"]


def test_exports_handle_a_long_history(client_for, user, bank, now):
    make_bulk_history(user, bank, 100, now - timedelta(days=200))
    response = client_for(user).get(reverse("export_csv"))
    chunks = list(response.streaming_content)
    assert len(chunks) > 3  # sent in pieces as rows are read, not built whole first
    tables = _zip_tables(type("R", (), {"streaming_content": chunks})())
    assert len(tables["reviews.csv"]) == 100 * len(bank) + 1  # a header and 100 reviews a card


def test_the_anki_package_holds_the_bank_with_decks_and_tags(client_for, user, bank, tmp_path):
    response = client_for(user).get(reverse("export_anki"))
    assert response["Content-Disposition"].endswith('genai-interview-prep.apkg"')
    package = tmp_path / "deck.apkg"
    package.write_bytes(response.content)
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    notes = db.execute("select flds, tags from notes").fetchall()
    assert len(notes) == len(bank)
    fields = {flds.split("\x1f")[0]: (flds.split("\x1f"), tags) for flds, tags in notes}
    first, tags = fields["what-is-generative-ai"]
    assert first[1] == "What is Generative AI?"
    assert first[2].startswith("<p>Generative AI is")
    assert "<li>" in first[3] and first[4].endswith("?") and first[5] == "1"
    assert "introduction-to-generative-ai" in tags and "basics-and-definitions" in tags
    # Formulas stay LaTeX in Anki's MathJax delimiters; the follow-up answer is the 7th field.
    assert "\\(p(x \\mid c)\\)" in first[3] and "<math" not in "".join(first)
    assert first[6].startswith("<p>There is no single number")
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    names = {deck["name"] for deck in decks.values()}
    assert "GenAI Interview Prep::Introduction to Generative AI::Basics and Definitions" in names
    # One deck per subsection, all of them, each holding exactly its subsection's questions.
    expected = {}
    for question in Question.objects.active().select_related("subsection__section"):
        subsection = question.subsection
        name = f"GenAI Interview Prep::{subsection.section.title}::{subsection.title}"
        expected.setdefault(name, set()).add(question.key)
    assert len(expected) == Subsection.objects.filter(questions__is_active=True).distinct().count()
    deck_names = {int(deck_id): deck["name"] for deck_id, deck in decks.items()}
    found = {}
    for flds, deck_id in db.execute(
        "select n.flds, c.did from notes n join cards c on c.nid = n.id"
    ):
        found.setdefault(deck_names[deck_id], set()).add(flds.split("\x1f")[0])
    assert found == expected


def test_deleting_the_account_needs_the_password(client_for, user, bank, now):
    answer(user, bank[0], 3, now)
    client = client_for(user)
    response = client.post(reverse("delete_account"), {"password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_the_account_removes_every_row_of_the_user(client_for, bank, now):
    user, other = make_user("leaving"), make_user("staying")
    for learner in (user, other):
        answer(learner, bank[0], 3, now)
        Report.objects.create(user=learner, question=bank[0], version=1, kind="wrong")
        address = EmailAddress.objects.create(user=learner, email=f"{learner}@example.com")
        EmailConfirmation.create(address)
        SocialAccount.objects.create(user=learner, provider="github", uid=str(learner.pk))
        ReminderPreference.objects.create(user=learner, enabled=True)
        Reminder.objects.create(user=learner, study_day=now.date())
        own = make_own_card(learner)
        answer(learner, own, 3, now)
        tags.tag_add(user=learner, question=own, name="mine")
        tags.tag_add(user=learner, question=bank[0], name="bank")
    client = client_for(user)
    response = client.post(reverse("delete_account"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("signup")
    assert "_auth_user_id" not in client.session  # logged out
    user_model = get_user_model()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is user_model and field.many_to_one:
                assert not model.objects.filter(**{field.name: user.pk}).exists(), model
    assert not user_model.objects.filter(pk=user.pk).exists()
    # Question.objects is the bank only: own cards are checked through the learner's view.
    assert not Question.visible.to(user.pk).filter(owner=user.pk).exists()
    assert Question.visible.to(other).filter(owner=other).count() == 1
    assert Tag.objects.filter(user=other).count() == 2
    assert Review.objects.filter(user=other).count() == 2
    assert Report.objects.filter(user=other).count() == 1
    assert not EmailConfirmation.objects.filter(email_address__email="leaving@example.com").exists()
    assert EmailAddress.objects.filter(user=other).count() == 1


@pytest.mark.parametrize("name", ["export_csv", "export_json", "export_anki", "your_data"])
def test_data_pages_require_login(client, db, name):
    assert client.get(reverse(name)).status_code == 302


def test_the_report_form_opens_from_the_card_with_and_without_javascript(client_for, user, bank):
    client = client_for(user)
    url = reverse("card_report", args=[bank[0].pk])
    page = client.get(url).content.decode()  # the link on the back of the card, no JS
    assert "<html" in page and "<details" in page and " open>" in page
    assert 'name="kind"' in page and "Send report" in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()  # opened with htmx
    assert "<html" not in partial and "<details" not in partial
    assert 'name="kind"' in partial and f'hx-target="#report-{bank[0].pk}"' in partial
    assert Report.objects.count() == 0
