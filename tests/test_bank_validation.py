"""One validation of question content for the fixture loader and the admin; a bounded diff."""

import difflib

import pytest
import yaml
from django.urls import reverse

from flashcards import editing
from flashcards.fixture import FixtureError
from flashcards.models import Question
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import admin_change_data, make_user


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"rank": 0}, "rank", "Rank must be a whole number from 1 to 1000, got 0."),
    ({"rank": 1001}, "rank", "from 1 to 1000"),
    ({"key_points": "fine\nbad $\\frac{1$"}, "key_points", "Key_points[1]: formula $\\frac{1$"),
    ({"key_points": "x" * 301}, "key_points", "at most 300 characters"),
    ({"key_points": "\n".join(f"p{i}" for i in range(21))}, "key_points", "most 20 key points"),
    ({"follow_up_key_points": "y" * 301}, "follow_up_key_points", "at most 300 characters"),
    ({"follow_up_answer": "a" * 10_001}, "follow_up_answer", "at most 10000"),
    ({"answer": "Broken $x^$ here."}, "answer", "Answer: formula $x^$: not valid LaTeX"),
    ({"answer": "word " * 4001}, "answer", "at most 20000 are allowed"),
    ({"prompt": "Why? " * 101}, "prompt", "at most 500"),
    ({"follow_up": "f" * 2001}, "follow_up", "at most 2000"),
])  # fmt: skip
def test_the_admin_refuses_what_the_fixture_refuses_and_changes_nothing(
    client, bank, editor, changes, field, message
):
    question = bank[1]
    before = Question.objects.filter(pk=question.pk).values().get()
    client.force_login(editor)
    url = reverse("admin:flashcards_question_change", args=[question.pk])
    response = client.post(url, admin_change_data(question, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert Question.objects.filter(pk=question.pk).values().get() == before


def test_after_a_refused_rank_every_learner_page_still_works(client, bank, editor):
    client.force_login(editor)
    question = bank[1]
    client.post(
        reverse("admin:flashcards_question_change", args=[question.pk]),
        admin_change_data(question, rank=0),
    )
    client.force_login(make_user())
    for url in ("/", reverse("practice")):
        assert client.get(url).status_code == 200


def test_the_subsection_inline_applies_the_same_rank_range(client, bank, editor):
    question = bank[0]
    subsection = question.subsection
    client.force_login(editor)
    url = reverse("admin:flashcards_subsection_change", args=[subsection.pk])
    html = client.get(url).content.decode()
    assert "questions-TOTAL_FORMS" in html
    questions = list(subsection.questions.order_by("position", "id"))
    data = {
        "section": subsection.section_id,
        "key": subsection.key,
        "title": subsection.title,
        "position": subsection.position,
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
    }
    for i, q in enumerate(questions):
        data.update({f"questions-{i}-id": q.pk, f"questions-{i}-subsection": subsection.pk,
                     f"questions-{i}-prompt": q.prompt, f"questions-{i}-key": q.key,
                     f"questions-{i}-rank": 0 if q == question else q.rank,
                     f"questions-{i}-position": q.position, f"questions-{i}-origin": q.origin,
                     f"questions-{i}-is_active": "on"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert Question.objects.get(pk=question.pk).rank == question.rank


def _fixture_with(**changes) -> str:
    data = yaml.safe_load(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    data["sections"][0]["subsections"][0]["questions"][0].update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"answer": "a" * 20_001}, "'answer' is 20001 characters; at most 20000 are allowed"),
    ({"key_points": ["k" * 301]}, "each key point must be at most 300 characters"),
    ({"rank": 1001}, "rank must be a whole number from 1 to 1000, got 1001"),
    ({"prompt": "p" * 501}, "'prompt' is 501 characters"),
])  # fmt: skip
def test_the_fixture_loader_applies_the_same_limits(db, changes, message):
    with pytest.raises(FixtureError, match=message):
        seed_questions(text=_fixture_with(**changes))
    assert not Question.objects.exists()


def test_the_answer_diff_still_says_what_changed():
    old = "Attention mixes tokens. It is quadratic. Heads run in parallel."
    new = "Attention mixes tokens. It is quadratic in length. Heads run in parallel."
    assert editing.answer_diff(old, new) == [
        ("-", "It is quadratic."),
        ("+", "It is quadratic in length."),
    ]


def test_the_answer_diff_compares_a_bounded_number_of_items_whatever_the_input(monkeypatch):
    """The diff's work is bounded by what the matcher is given: never more than
    DIFF_SENTENCES sentences a side, never characters within a sentence."""
    seen = []
    original = difflib.SequenceMatcher.set_seqs

    def spy(self, a, b):
        seen.append(max(len(a), len(b)))
        return original(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", spy)
    old = " ".join(f"Sentence number {i} says {'x' * (i % 50)}." for i in range(5000))
    new = " ".join(f"Sentence number {i} now says {'y' * (i % 70)}." for i in range(5000))
    one_long_old, one_long_new = "a" * 200_000, "a" * 199_999 + "b"
    changes = editing.answer_diff(old, new) + editing.answer_diff(one_long_old, one_long_new)
    assert seen and max(seen) <= editing.DIFF_SENTENCES
    assert len(changes) == 14 and all(
        len(text) <= editing.DIFF_SENTENCE_CHARS for _, text in changes
    )
