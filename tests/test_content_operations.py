"""The editorial admin, the fixture round trip and content updates learners can see."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from flashcards.admin import point_lines
from flashcards.exporting import export_text
from flashcards.models import Card, Question, QuestionRevision, Section, Subsection
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import admin_change_data, answer, make_user


def test_exporting_right_after_seeding_reproduces_the_fixture_byte_for_byte(bank, tmp_path):
    out = tmp_path / "exported.yaml"
    call_command("export_questions", file=out)
    assert out.read_bytes() == DEFAULT_FIXTURE.read_bytes()
    report = seed_questions(text=out.read_text(encoding="utf-8"))
    assert (report.created, report.updated, report.deactivated, report.unchanged) == (
        0,
        0,
        0,
        len(bank),
    )


def test_an_edit_in_the_admin_round_trips_through_the_file(client, bank, editor):
    question = bank[3]
    client.force_login(editor)
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    client.post(url, admin_change_data(question, answer="A short new answer.\n"))
    text = export_text()
    assert "A short new answer." in text
    assert seed_questions(text=text).unchanged == Question.objects.count()


def test_the_editor_group_edits_questions_but_not_users(client, bank, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:flashcards_question_changelist")).status_code == 200
    assert client.get(reverse("admin:flashcards_report_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:flashcards_card_changelist")).status_code == 403


def test_a_learner_cannot_use_any_admin_job(client, bank):
    client.force_login(make_user())
    for url in (
        reverse("admin:flashcards_question_changelist"),
        reverse("admin:flashcards_question_change", args=[bank[0].pk]),
        reverse("admin:flashcards_report_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(
        reverse("admin:flashcards_question_changelist"),
        {"action": "deactivate", "_selected_action": [bank[0].pk]},
    )
    assert response.status_code == 302
    assert Question.objects.get(pk=bank[0].pk).is_active


def test_the_question_list_has_the_editorial_columns_and_searches_key_points(client, bank, editor):
    client.force_login(editor)
    url = reverse("admin:flashcards_question_changelist")
    html = client.get(url).content.decode()
    for column in ("Section", "Subsection", "Rank", "Origin", "Is active", "Updated at"):
        assert column in html
    point = bank[0].key_points[0]
    html = client.get(url, {"q": point.split()[0] + " " + point.split()[1]}).content.decode()
    assert bank[0].prompt in html
    filters = {"subsection__section__id__exact": bank[0].subsection.section_id,
               "origin__exact": "seed", "is_active__exact": "1"}  # fmt: skip
    assert client.get(url, filters).status_code == 200


def test_the_change_page_previews_the_answer_and_shows_usage(client, bank, editor, now):
    question = bank[0]
    for name, rating in (("a", 3), ("b", 1)):
        answer(make_user(name), question, rating, now)
    client.force_login(editor)
    html = client.get(reverse("admin:flashcards_question_change", args=[question.pk])).content
    html = html.decode()
    assert (
        'id="card-preview"' in html
        and '<div class="model-answer prose"><p>Generative AI is' in html
    )
    assert (
        "2 learner(s) studied it; 2 reviews, 50% answered known, average confidence 2.0 of 3."
        in html
    )


def test_bulk_actions_activate_deactivate_and_export(client, bank, editor, now):
    learner = make_user()
    answer(learner, bank[0], 3, now)
    client.force_login(editor)
    url = reverse("admin:flashcards_question_changelist")
    selected = [bank[0].pk, bank[1].pk]
    client.post(url, {"action": "deactivate", "_selected_action": selected})
    assert Question.objects.filter(pk__in=selected, is_active=False).count() == 2
    assert Card.objects.filter(user=learner).count() == 1
    client.post(url, {"action": "activate", "_selected_action": selected})
    assert Question.objects.filter(pk__in=selected, is_active=True).count() == 2
    response = client.post(url, {"action": "export_fixture", "_selected_action": selected})
    assert response["Content-Disposition"] == 'attachment; filename="genai_questions.yaml"'
    exported = yaml.safe_load(response.content)
    keys = [
        q["key"] for s in exported["sections"] for ss in s["subsections"] for q in ss["questions"]
    ]
    assert keys == [bank[0].key, bank[1].key]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"prompt": ""}, "This field is required."),
        (
            {"key": "what-is-a-generative-adversarial-network-gan"},
            "Question with this Key already exists.",
        ),
        ({"rank": 2}, "Rank 2 is already used by"),
    ],
)
def test_bad_edits_get_a_field_error(client, bank, editor, changes, error):
    question = bank[0]
    client.force_login(editor)
    response = client.post(
        reverse("admin:flashcards_question_change", args=[question.pk]),
        admin_change_data(question, **changes),
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Question.objects.get(pk=question.pk).prompt == question.prompt


def test_a_material_answer_change_shows_learners_who_studied_it_an_update(
    client, bank, editor, now
):
    question = bank[0]
    old_answer = question.answer
    studied, unstudied = make_user("studied"), make_user("fresh")
    answer(studied, question, 4, now)
    schedule = Card.objects.filter(user=studied).values("due", "stability").get()
    client.force_login(editor)
    new_answer = question.answer.replace("Generative AI is", "Generative AI, put simply, is") + (
        "\nIt is evaluated with human preference as well as automatic metrics.\n"
    )
    client.post(reverse("admin:flashcards_question_change", args=[question.pk]),
                admin_change_data(question, answer=new_answer))  # fmt: skip
    question.refresh_from_db()
    assert question.version == 2
    assert QuestionRevision.objects.get(question=question, version=1).answer == old_answer

    client.force_login(studied)
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert 'data-testid="updated-badge"' in html and 'data-testid="update-note"' in html
    assert "It is evaluated with human preference as well as automatic metrics." in html
    assert re.search(r'class="diff-removed">.*Generative AI is the family', html)
    assert "Relearn this card from scratch" in html
    assert "Answer as of" in html and "(version 2)" in html
    assert Card.objects.filter(user=studied).values("due", "stability").get() == schedule

    client.force_login(unstudied)
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert "updated-badge" not in html and "update-note" not in html


def test_whitespace_edits_are_not_an_update(client, bank, editor):
    question = bank[0]
    spaced = question.answer.replace(". ", ".  ")
    assert spaced != question.answer
    client.force_login(editor)
    response = client.post(reverse("admin:flashcards_question_change", args=[question.pk]),
                           admin_change_data(question, answer=spaced))  # fmt: skip
    assert response.status_code == 302
    stored = Question.objects.get(pk=question.pk)
    assert (stored.answer, stored.version) == (spaced.strip(), 1)  # the form trims the ends
    assert not QuestionRevision.objects.filter(question=question).exists()


def _inline_data(prefix: str, rows: list[dict]) -> dict:
    """The admin's inline formset fields for existing rows, unchanged."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def _section_data(section: Section, **changes) -> dict:
    rows = [{"id": s.pk, "section": section.pk, "title": s.title, "key": s.key,
             "position": s.position} for s in section.subsections.all()]  # fmt: skip
    data = {"title": section.title, "key": section.key, "position": section.position}
    return {**data, **_inline_data("subsections", rows), **changes}


def _subsection_data(subsection: Subsection, **changes) -> dict:
    rows = [
        {"id": q.pk, "subsection": subsection.pk, "prompt": q.prompt, "key": q.key,
         "rank": q.rank, "position": q.position, "origin": q.origin, "is_active": "on"}
        for q in subsection.questions.all()
    ]  # fmt: skip
    data = {"section": subsection.section_id, "title": subsection.title, "key": subsection.key,
            "position": subsection.position}  # fmt: skip
    return {**data, **_inline_data("questions", rows), **changes}


def test_editors_who_are_not_superusers_edit_sections_subsections_and_questions(
    client, bank, editor
):
    assert not editor.is_superuser
    question = bank[0]
    subsection, section = question.subsection, question.subsection.section
    client.force_login(editor)
    url = reverse("admin:flashcards_section_change", args=[section.pk])
    assert client.post(url, _section_data(section, title="Basics, renamed")).status_code == 302
    url = reverse("admin:flashcards_subsection_change", args=[subsection.pk])
    data = _subsection_data(subsection, title="Definitions, renamed")
    data["questions-0-prompt"] = "What is generative AI, renamed?"
    assert client.post(url, data).status_code == 302
    url = reverse("admin:flashcards_question_change", args=[bank[1].pk])
    assert client.post(url, admin_change_data(bank[1], follow_up="Renamed too?")).status_code == 302
    assert Section.objects.get(pk=section.pk).title == "Basics, renamed"
    assert Subsection.objects.get(pk=subsection.pk).title == "Definitions, renamed"
    assert Question.objects.get(pk=question.pk).prompt == "What is generative AI, renamed?"
    assert Question.objects.get(pk=bank[1].pk).follow_up == "Renamed too?"


def test_the_admin_refuses_a_key_the_fixture_and_urls_refuse(client, bank, editor):
    # Regression: a section key saved as `Intro_AI` made "Study this" 404 and made
    # export_questions write a file seed_questions refuses.
    question = bank[0]
    subsection, section = question.subsection, question.subsection.section
    client.force_login(editor)
    attempts = [
        ("admin:flashcards_section_change", section.pk, _section_data(section, key="Intro_AI")),
        ("admin:flashcards_subsection_change", subsection.pk,
         _subsection_data(subsection, key="Intro_AI")),
        ("admin:flashcards_question_change", question.pk,
         admin_change_data(question, key="Intro_AI")),
        ("admin:flashcards_section_change", section.pk,
         _section_data(section, **{"subsections-0-key": "Intro_AI"})),
    ]  # fmt: skip
    for name, pk, data in attempts:
        response = client.post(reverse(name, args=[pk]), data)
        assert response.status_code == 200, name
        assert "must be a slug" in response.content.decode(), name
    assert not Section.objects.filter(key="Intro_AI").exists()
    assert not Subsection.objects.filter(key="Intro_AI").exists()
    assert not Question.objects.filter(key="Intro_AI").exists()
    assert seed_questions(text=export_text()).unchanged == Question.objects.count()


def test_answering_again_clears_the_update(client_for, bank, now):
    question = bank[0]
    learner = make_user()
    answer(learner, question, 4, now)
    Question.objects.filter(pk=question.pk).update(version=2)
    QuestionRevision.objects.create(
        question=question, version=1, prompt=question.prompt, answer="Old."
    )
    client = client_for(learner)
    assert "update-note" in client.get(reverse("reveal", args=[question.pk])).content.decode()
    card = Card.objects.get(user=learner)
    client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": card.reps})
    assert "update-note" not in client.get(reverse("reveal", args=[question.pk])).content.decode()


def test_seeding_a_changed_answer_keeps_a_revision(bank):
    data = yaml.safe_load(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    data["sections"][0]["subsections"][0]["questions"][0]["answer"] = "Rewritten.\n"
    seed_questions(text=yaml.safe_dump(data, sort_keys=False))
    question = Question.objects.get(key="what-is-generative-ai")
    assert question.version == 2
    assert QuestionRevision.objects.get(question=question, version=1).answer.startswith(
        "Generative AI"
    )


def test_cues_are_edited_on_the_key_point_lines_and_round_trip(client, bank, editor):
    question = bank[0]
    client.force_login(editor)
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    page = client.get(url).content.decode()
    assert "Learns the data distribution $p(x)$ or $p(x \\mid c)$ | data distribution;" in page
    lines = point_lines(question.key_points, question.key_point_cues)
    lines[0] = "Learns the data distribution | density estimate; p(x|c)"
    lines[1] = question.key_points[1]  # a point without cues
    response = client.post(url, admin_change_data(question, key_points="\n".join(lines)))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.key_points[0] == "Learns the data distribution"
    assert question.key_point_cues[0] == ["density estimate", "p(x|c)"]
    assert question.key_point_cues[1] == []
    text = export_text()
    assert "- point: Learns the data distribution\n        cues: [density estimate, p(x|c)]" in text
    assert seed_questions(text=text).unchanged == Question.objects.count()


def test_a_cue_with_a_semicolon_inside_is_refused_by_the_file(bank):
    from flashcards.fixture import FixtureError, parse

    bad = DEFAULT_FIXTURE.read_text().replace("cues: [data distribution,", "cues: ['a;b',", 1)
    with pytest.raises(FixtureError, match="cues must be a list of non-empty text"):
        parse(bad)
