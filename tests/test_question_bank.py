"""The content of the bank: 100 ranked questions with model answers, key points and follow-ups."""

import re

import pytest
import yaml

from flashcards.models import Card, Question, Review, Section
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import answer, make_user
from .seed_document import seed_outline


def test_the_bank_has_100_active_questions_in_20_subsections_of_5(bank):
    assert Question.objects.active().count() == 100
    per_subsection = {}
    for question in Question.objects.active().select_related("subsection"):
        per_subsection.setdefault(question.subsection.key, []).append(question)
    assert len(per_subsection) == 20
    assert {len(questions) for questions in per_subsection.values()} == {5}
    assert Question.objects.filter(origin="seed").count() == 65
    assert Question.objects.filter(origin="added").count() == 35


def test_the_new_sections_stand_where_the_issue_puts_them(bank):
    titles = list(Section.objects.order_by("position").values_list("title", flat=True))
    seed_sections = list(dict.fromkeys(section for section, _, _ in seed_outline()))
    assert [t for t in titles if t in seed_sections] == seed_sections
    assert titles.index("Large Language Models") == titles.index("Technical Deep Dive") + 1
    assert titles.index("Evaluation, Safety and Agents") == titles.index("Advanced Topics") + 1
    llm = Section.objects.get(title="Large Language Models")
    assert list(llm.subsections.order_by("position").values_list("title", flat=True)) == [
        "Foundations",
        "Prompting and Retrieval",
        "Fine-tuning and Alignment",
        "Inference and Serving",
    ]
    safety = Section.objects.get(title="Evaluation, Safety and Agents")
    assert list(safety.subsections.order_by("position").values_list("title", flat=True)) == [
        "Evaluating LLMs",
        "Safety and Security",
        "Agents and Tool Use",
    ]


def test_every_question_has_a_model_answer_key_points_and_a_follow_up(bank):
    for question in bank:
        words = len(re.findall(r"\S+", question.answer))
        assert 80 <= words <= 220, f"{question.key}: {words} words"
        assert not re.search(r"^#", question.answer, re.M), f"{question.key}: has a heading"
        assert 2 <= len(question.key_points) <= 4, question.key
        assert question.follow_up.strip().endswith("?"), question.key


def test_ranks_are_1_to_100_and_keep_the_seed_order_inside_each_subsection(bank):
    assert sorted(q.rank for q in bank) == list(range(1, 101))
    for section, subsection, prompts in seed_outline():
        ranks = [
            Question.objects.get(
                prompt=p, subsection__title=subsection, subsection__section__title=section
            ).rank
            for p in prompts
        ]
        assert ranks == sorted(ranks), f"{section} › {subsection}"


def test_the_most_likely_question_is_first_and_gets_a_top_10_badge(bank):
    first = Question.objects.get(rank=1)
    assert first.prompt == "What is Generative AI?"
    assert first.rank_badge == "Top 10"
    assert Question.objects.get(rank=25).rank_badge == "Top 25"
    assert Question.objects.get(rank=80).rank_badge == "#80"


def test_no_two_questions_share_a_prompt(bank):
    prompts = [q.prompt.lower() for q in bank]
    assert len(prompts) == len(set(prompts))


@pytest.mark.django_db
def test_reseeding_with_the_extended_bank_keeps_progress_on_the_seed_questions(now):
    full = yaml.safe_load(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    seed_only = {
        "sections": [
            {
                **section,
                "subsections": [
                    {**sub, "questions": [q for q in sub["questions"] if q["origin"] == "seed"]}
                    for sub in section["subsections"]
                ],
            }
            for section in full["sections"]
            if section["title"] not in {"Large Language Models", "Evaluation, Safety and Agents"}
        ]
    }
    seed_questions(text=yaml.safe_dump(seed_only, sort_keys=False))
    assert Question.objects.count() == 65
    user = make_user()
    studied = list(Question.objects.order_by("rank")[:5])
    for question in studied:
        answer(user, question, 3, now)
    before = list(Card.objects.filter(user=user).order_by("pk").values())

    report = seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))

    assert report.created == 35 and report.deactivated == 0
    assert list(Card.objects.filter(user=user).order_by("pk").values()) == before
    assert Review.objects.filter(user=user).count() == 5
    assert Question.objects.active().count() == 100
