"""The content of the bank: 120 ranked questions with model answers, key points, follow-ups and
follow-up answers."""

import copy
import re

import pytest
import yaml

from flashcards import queue
from flashcards.models import Card, Question, Review, Section
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import answer, make_user
from .seed_document import seed_outline


def test_the_bank_has_120_active_questions_in_24_subsections_of_5(bank):
    assert Question.objects.active().count() == 120
    per_subsection = {}
    for question in Question.objects.active().select_related("subsection"):
        per_subsection.setdefault(question.subsection.key, []).append(question)
    assert len(per_subsection) == 24
    assert {len(questions) for questions in per_subsection.values()} == {5}
    assert Question.objects.filter(origin="seed").count() == 65
    assert Question.objects.filter(origin="added").count() == 55


def test_the_new_sections_stand_where_the_issue_puts_them(bank):
    titles = list(Section.objects.order_by("position").values_list("title", flat=True))
    seed_sections = list(dict.fromkeys(section for section, _, _ in seed_outline()))
    assert [t for t in titles if t in seed_sections] == seed_sections
    assert titles.index("Large Language Models") == titles.index("Technical Deep Dive") + 1
    assert titles.index("Evaluation, Safety and Agents") == titles.index("Advanced Topics") + 1
    llm = Section.objects.get(title="Large Language Models")
    assert list(llm.subsections.order_by("position").values_list("title", flat=True)) == [
        "Foundations",
        "Model Architecture at Scale",
        "Prompting and Retrieval",
        "Fine-tuning and Alignment",
        "Reasoning Models",
        "Inference and Serving",
        "Inference Internals",
    ]
    practical = Section.objects.get(title="Practical Implementation")
    assert list(practical.subsections.order_by("position").values_list("title", flat=True)) == [
        "Tools and Frameworks",
        "Deployment and Scalability",
        "LLM System Design",
    ]
    safety = Section.objects.get(title="Evaluation, Safety and Agents")
    assert list(safety.subsections.order_by("position").values_list("title", flat=True)) == [
        "Evaluating LLMs",
        "Safety and Security",
        "Agents and Tool Use",
    ]


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def test_every_question_has_a_model_answer_key_points_a_follow_up_and_its_answer(bank):
    for question in bank:
        # System-design cases walk through requirements, architecture, evaluation, cost and
        # failure modes, so they may run longer than a plain answer.
        longest = 400 if question.subsection.key == "llm-system-design" else 250
        assert 80 <= _words(question.answer) <= longest, f"{question.key}: answer length"
        assert not re.search(r"^#", question.answer, re.M), f"{question.key}: has a heading"
        assert 2 <= len(question.key_points) <= 4, question.key
        assert question.follow_up.strip().endswith("?"), question.key
        assert 40 <= _words(question.follow_up_answer) <= 120, f"{question.key}: follow-up answer"
        assert 1 <= len(question.follow_up_key_points) <= 3, question.key
        for point in [*question.key_points, *question.follow_up_key_points]:
            assert len(point) <= 100, f"{question.key}: key point too long: {point}"


def test_ranks_are_1_to_n_and_keep_the_seed_order_inside_each_subsection(bank):
    assert sorted(q.rank for q in bank) == list(range(1, len(bank) + 1))
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


def test_the_2026_ranking_puts_llm_topics_first_and_gan_basics_out_of_the_top_10(bank):
    top_10 = list(Question.objects.filter(rank__lte=10).values_list("subsection__key", flat=True))
    assert "key-concepts" not in top_10 and "model-architectures" not in top_10
    assert not any("GAN" in q.prompt for q in bank if q.rank <= 10)
    for new_topic in ("llm-system-design", "reasoning-models", "inference-internals"):
        assert new_topic in top_10
    last_20 = Question.objects.filter(rank__gt=len(bank) - 20)
    assert {q.subsection.section.key for q in last_20} <= {
        "case-studies-and-real-world-applications", "applications", "advanced-topics",
        "practical-implementation", "introduction-to-generative-ai", "technical-deep-dive",
    }  # fmt: skip
    assert not last_20.filter(subsection__section__key="large-language-models").exists()


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

    assert report.created == 55 and report.deactivated == 0
    assert list(Card.objects.filter(user=user).order_by("pk").values()) == before
    assert Review.objects.filter(user=user).count() == 5
    assert Question.objects.active().count() == 120


@pytest.mark.django_db
def test_the_grown_bank_reaches_learners_keeps_progress_and_the_queue_follows_new_ranks(now):
    # The bank as it was before: the 100 first questions, no follow-up answers, ranks reversed.
    full = yaml.safe_load(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    new_keys = {"model-architecture-at-scale", "inference-internals", "reasoning-models",
                "llm-system-design"}  # fmt: skip
    old = copy.deepcopy(full)
    old_questions = []
    for section in old["sections"]:
        section["subsections"] = [s for s in section["subsections"] if s["key"] not in new_keys]
        for sub in section["subsections"]:
            for q in sub["questions"]:
                q.pop("follow_up_answer"), q.pop("follow_up_key_points")
                old_questions.append(q)
    for q in old_questions:
        q["rank"] = len(old_questions) + 1 - q["rank"] if q["rank"] <= 100 else q["rank"]
    ranks = sorted(q["rank"] for q in old_questions)
    for q in old_questions:  # squeeze to 1..100 keeping the order
        q["rank"] = ranks.index(q["rank"]) + 1
    seed_questions(text=yaml.safe_dump(old, sort_keys=False, allow_unicode=True))
    learner = make_user()
    for question in Question.objects.order_by("rank")[:3]:
        answer(learner, question, 3, now)
    cards_before = list(Card.objects.filter(user=learner).order_by("pk").values())

    report = seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))

    assert report.created == 20 and report.deactivated == 0
    assert list(Card.objects.filter(user=learner).order_by("pk").values()) == cards_before
    assert Review.objects.filter(user=learner).count() == 3
    # Adding follow-up answers is a content change: every old question moved to version 2.
    assert set(Question.objects.filter(origin="seed").values_list("version", flat=True)) == {2}
    assert seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8")).lines == []

    newcomer = make_user()
    settings = newcomer.study_settings
    first = queue.next_card(newcomer, settings, now, queue.today(newcomer, settings, now))
    assert first.question.rank == 1 and first.question.prompt == "What is Generative AI?"
    studied = Card.objects.filter(user=learner).values_list("question__key", flat=True)
    client_item = queue.next_card(learner, learner.study_settings, now,
                                  queue.today(learner, learner.study_settings, now))  # fmt: skip
    assert client_item.question.key not in studied
    next_new = Question.objects.exclude(key__in=studied).order_by("rank").first()
    assert client_item.question == next_new  # new cards come in the new rank order
