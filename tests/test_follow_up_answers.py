"""Follow-up answers: in the fixture, the versioning path, the card back, practice and the admin."""

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from flashcards import fixture
from flashcards.exporting import export_text
from flashcards.models import Card, Interview, InterviewAnswer, Question, QuestionRevision
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import PASSWORD, answer, make_question, make_user

ONE_QUESTION = """\
sections:
- key: s
  title: S
  subsections:
  - key: ss
    title: SS
    questions:
    - key: attention
      prompt: How does attention work?
      rank: 1
      origin: added
      answer: It computes $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$ over the keys.
      key_points:
      - Scaled by $\\sqrt{d_k}$
      follow_up: Why divide by $\\sqrt{d_k}$?
      follow_up_answer: Dot products of random vectors grow with $d_k$; scaling keeps softmax soft.
      follow_up_key_points:
      - Variance of $q \\cdot k$ grows with $d_k$
"""


def _fixture_with(**changes) -> str:
    tree = yaml.safe_load(ONE_QUESTION)
    tree["sections"][0]["subsections"][0]["questions"][0].update(changes)
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


def test_the_follow_up_answer_comes_right_after_the_follow_up_and_round_trips(db):
    seed_questions(text=ONE_QUESTION)
    text = export_text()
    lines = [line.strip().split(":")[0] for line in text.splitlines()]
    at = lines.index("follow_up")
    assert lines[at + 1 : at + 3] == ["follow_up_answer", "follow_up_key_points"]
    assert fixture.parse(text) == fixture.parse(ONE_QUESTION)
    assert seed_questions(text=text).lines == []


def test_the_real_fixture_round_trips_byte_for_byte(db):
    original = DEFAULT_FIXTURE.read_text(encoding="utf-8")
    seed_questions(text=original)
    assert export_text() == original


def test_changing_a_follow_up_answer_is_a_material_change(db, now):
    seed_questions(text=ONE_QUESTION)
    learner = make_user()
    question = Question.objects.get(key="attention")
    answer(learner, question, 3, now)
    card_before = Card.objects.filter(user=learner).values().get()

    report = seed_questions(text=_fixture_with(follow_up_answer="A different explanation."))

    question.refresh_from_db()
    assert "~ question attention (follow_up_answer)" in report.lines
    assert question.version == 2
    old = QuestionRevision.objects.get(question=question, version=1)
    assert old.follow_up_answer.startswith("Dot products of random vectors")
    assert old.follow_up_key_points == ["Variance of $q \\cdot k$ grows with $d_k$"]
    assert Card.objects.filter(user=learner).values().get() == card_before


@pytest.mark.parametrize(
    ("changes", "place"),
    [
        ({"follow_up_key_points": "one string"}, "follow_up_key_points must be a list of text"),
        ({"follow_up_answer": ["a", "list"]}, "'follow_up_answer' must be text"),
        ({"follow_up_answer": "Grows like $\\frac{1}{d_k$."}, "follow_up_answer: formula"),
        ({"key_points": ["fine", "bad $\\foo{x}$"]}, "key_points[1]: formula $\\foo{x}$"),
    ],
)
def test_seeding_refuses_a_bad_follow_up_or_formula_naming_the_place(db, tmp_path, changes, place):
    path = tmp_path / "bank.yaml"
    path.write_text(_fixture_with(**changes), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("seed_questions", file=path)
    assert "sections[0].subsections[0].questions[0] (attention)" in str(refused.value)
    assert place in str(refused.value)
    assert not Question.objects.exists()


def test_the_card_back_hides_the_follow_up_answer_behind_a_details_control(client, db):
    seed_questions(text=ONE_QUESTION)
    question = Question.objects.get(key="attention")
    client.force_login(make_user())
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    details = html[html.index('<details class="follow-up-answer"') :]
    details = details[: details.index("</details>")]
    assert "<summary>Show follow-up answer</summary>" in details
    assert "Dot products of random vectors grow with" in details
    assert '<math alttext="q \\cdot k"' in details  # a follow-up key point, as MathML
    card_page = client.get(reverse("card", args=[question.pk])).content.decode()
    assert '<details class="follow-up-answer"' in card_page


def test_a_question_without_a_follow_up_answer_shows_no_control(client, db):
    seed_questions(text=_fixture_with(follow_up_answer=None, follow_up_key_points=None))
    client.force_login(make_user())
    question = Question.objects.get(key="attention")
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert "Likely follow-up:" in html and "Show follow-up answer" not in html


def test_practice_shows_the_follow_up_answer_only_after_the_attempt(client, db):
    subsection = None  # every question drawn (the draw is random) has a follow-up answer
    for n in range(5):
        question = make_question(subsection, rank=10 + n, key_points=["a point"],
                                 follow_up=f"Why {n}?",
                                 follow_up_answer=f"Model follow-up answer {n}.")  # fmt: skip
        subsection = question.subsection
    user = make_user()
    client.force_login(user)
    client.post(reverse("practice_start"), {"length": 5, "focus": "bank"})
    interview = Interview.objects.get(user=user)
    first = Question.objects.get(pk=interview.question_ids[0])
    step = reverse("practice_step", args=[interview.pk])
    client.get(step)  # the question is put to the learner
    client.post(reverse("practice_reveal", args=[interview.pk, 0]), {"typed_answer": "x"})
    client.post(reverse("practice_grade", args=[interview.pk, 0]),
                {"covered": [0], "verdict": "pass"})  # fmt: skip
    asking = client.get(step).content.decode()
    assert first.follow_up in asking and first.follow_up_answer not in asking
    report = reverse("practice_report", args=[interview.pk])
    assert first.follow_up_answer not in client.get(report).content.decode()

    client.post(reverse("practice_follow_up", args=[interview.pk, 0]),
                {"answer": "Because variance grows", "verdict": "pass"})  # fmt: skip

    assert InterviewAnswer.objects.get(interview=interview, position=0).follow_up_at is not None
    html = client.get(report).content.decode()
    shown = html[html.index('data-testid="follow-up-model-answer"') :]
    assert first.follow_up_answer in shown and "Because variance grows" in html
    assert html.count('data-testid="follow-up-model-answer"') == 1  # not the unattempted ones


def _staff() -> User:
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True, is_superuser=True)


def _admin_form(question: Question, **changes) -> dict:
    return {
        "subsection": question.subsection_id, "key": question.key, "prompt": question.prompt,
        "answer": question.answer, "key_points": "\n".join(question.key_points),
        "follow_up": question.follow_up, "follow_up_answer": question.follow_up_answer,
        "follow_up_key_points": "\n".join(question.follow_up_key_points),
        "rank": question.rank, "origin": question.origin, "is_active": "on",
        "position": question.position, **changes,
    }  # fmt: skip


def test_the_admin_edits_key_points_as_lines_and_keeps_a_revision(client, db):
    seed_questions(text=ONE_QUESTION)
    question = Question.objects.get(key="attention")
    client.force_login(_staff())
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    page = client.get(url).content.decode()
    assert "Scaled by $\\sqrt{d_k}$</textarea>" in page  # lines, not JSON

    response = client.post(url, _admin_form(
        question, key_points="First point\n\n  Second with $x^2$  \n",
        follow_up_key_points="Only one",
    ))  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.key_points == ["First point", "Second with $x^2$"]
    assert question.follow_up_key_points == ["Only one"]
    assert question.version == 2
    assert QuestionRevision.objects.get(question=question).key_points == ["Scaled by $\\sqrt{d_k}$"]


def test_the_admin_refuses_a_formula_that_cannot_render(client, db):
    seed_questions(text=ONE_QUESTION)
    question = Question.objects.get(key="attention")
    client.force_login(_staff())
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    response = client.post(url, _admin_form(question, follow_up_answer="Bad $\\frac{1}{2$."))
    assert response.status_code == 200
    assert "formula $\\frac{1}{2$: unbalanced braces" in response.content.decode()
    question.refresh_from_db()
    assert question.version == 1 and question.follow_up_answer.startswith("Dot products")


def test_the_admin_preview_renders_what_is_typed(client, db):
    seed_questions(text=ONE_QUESTION)
    question = Question.objects.get(key="attention")
    client.force_login(_staff())
    page = client.get(reverse("admin:flashcards_question_change", args=[question.pk]))
    html = page.content.decode()
    preview_url = reverse("admin:flashcards_question_preview")
    assert f'hx-post="{preview_url}"' in html and 'id="card-preview"' in html
    assert "htmx" in html  # the script is loaded from static files (CSP: self)

    response = client.post(preview_url, _admin_form(
        question, answer="Typed **now** with $e^{i\\pi}$ <script>x()</script>",
        key_points="Point $a_1$\nPoint two", follow_up_answer="Broken $\\frac{1$",
    ))  # fmt: skip

    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>now</strong>" in body and '<math alttext="e^{i\\pi}"' in body
    assert "<script>" not in body
    assert '<math alttext="a_1"' in body and "<li>Point two</li>" in body
    assert '<code class="math-error">\\frac{1</code>' in body
    assert "follow_up_answer: formula $\\frac{1$: unbalanced braces" in body


def test_the_admin_preview_is_for_staff_and_posted_with_csrf(client, db):
    url = reverse("admin:flashcards_question_preview")
    client.force_login(make_user())
    assert client.post(url, {"answer": "x"}).status_code == 302  # to the admin login
    staff_client = type(client)(enforce_csrf_checks=True)
    staff_client.force_login(_staff())
    assert staff_client.post(url, {"answer": "x"}).status_code == 403
    assert staff_client.get(url).status_code == 405
