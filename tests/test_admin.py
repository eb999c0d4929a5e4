"""Staff edit the bank in the admin; learners cannot get in; edits keep progress."""

from django.contrib.auth.models import User
from django.urls import reverse

from flashcards.models import Card, Question, Section

from .conftest import PASSWORD, answer, make_user


def _staff() -> User:
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True, is_superuser=True)


def test_a_learner_is_refused_the_admin(client, bank):
    client.force_login(make_user())
    response = client.get(reverse("admin:flashcards_question_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_can_search_and_filter_questions(client, bank):
    client.force_login(_staff())
    url = reverse("admin:flashcards_question_changelist")
    response = client.get(url, {"q": "diffusion"})
    assert response.status_code == 200
    assert "What are Diffusion Models and how do they generate data?" in response.content.decode()
    assert client.get(url, {"origin__exact": "added"}).status_code == 200


def test_section_and_subsection_pages_show_their_children_inline(client, bank):
    client.force_login(_staff())
    question = bank[0]
    subsection = question.subsection
    html = client.get(
        reverse("admin:flashcards_section_change", args=[subsection.section_id])
    ).content.decode()
    assert "Basics and Definitions" in html
    html = client.get(reverse("admin:flashcards_subsection_change", args=[subsection.pk])).content
    assert question.prompt in html.decode()


def test_editing_a_question_in_the_admin_keeps_progress_and_shows_at_once(client, bank, now):
    learner = make_user()
    question = bank[0]
    answer(learner, question, 3, now)
    card_before = Card.objects.filter(user=learner).values().get()
    client.force_login(_staff())
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    response = client.post(
        url,
        {
            "subsection": question.subsection_id,
            "key": question.key,
            "prompt": "What is generative AI, in one breath?",
            "answer": question.answer,
            "key_points": "one\ntwo",
            "follow_up": question.follow_up,
            "follow_up_answer": question.follow_up_answer,
            "follow_up_key_points": "\n".join(question.follow_up_key_points),
            "rank": question.rank,
            "origin": question.origin,
            "is_active": "on",
            "position": question.position,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Question.objects.get(pk=question.pk).prompt == "What is generative AI, in one breath?"
    assert Card.objects.filter(user=learner).values().get() == card_before
    client.force_login(learner)
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert "What is generative AI, in one breath?" in html


def test_editors_see_report_and_edit_times_in_their_own_time_zone(client, editor, bank):
    from datetime import UTC, datetime

    from flashcards.models import Report, StudySettings

    question = bank[0]
    filed = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 1:30 a.m. on 2 March in Kolkata
    report = Report.objects.create(user=make_user(), question=question, version=1, kind="unclear")
    Report.objects.filter(pk=report.pk).update(created_at=filed)
    Question.objects.filter(pk=question.pk).update(updated_at=filed)
    StudySettings.objects.update_or_create(user=editor, defaults={"time_zone": "Asia/Kolkata"})
    client.force_login(editor)
    reports = client.get(reverse("admin:flashcards_report_changelist"))
    change = client.get(reverse("admin:flashcards_question_change", args=[question.pk]))
    assert reports.status_code == change.status_code == 200
    for page in (reports, change):
        html = page.content.decode()
        assert "March 2, 2026" in html and "1:30" in html
        assert "March 1, 2026" not in html


def test_an_editor_reorders_sections_from_the_list_whose_position_inputs_name_their_row(
    client, bank, editor
):
    first, second = Section.objects.order_by("position")[:2]
    client.force_login(editor)
    url = reverse("admin:flashcards_section_changelist")
    html = client.get(url).content.decode()
    assert f'aria-label="Position of {first}"' in html  # the admin renders list inputs unlabelled
    rows = list(Section.objects.order_by("pk"))
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "Save"}
    for i, section in enumerate(rows):
        position = {first.pk: second.position, second.pk: first.position}.get(section.pk)
        data |= {f"form-{i}-id": section.pk, f"form-{i}-position": position or section.position}
    assert client.post(url, data).status_code == 302
    assert Section.objects.order_by("position")[0] == second
