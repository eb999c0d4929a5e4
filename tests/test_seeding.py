"""Loading the question bank fixture."""

import hashlib

import pytest
import yaml
from django.core.management import CommandError, call_command

from flashcards.fixture import FixtureError, dump, parse
from flashcards.models import Card, Question, Review, Section, Subsection
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

from .conftest import answer, make_user
from .seed_document import seed_outline

FIXTURE_TEXT = DEFAULT_FIXTURE.read_text(encoding="utf-8")
# Counted from the file itself, independently of the loader under test.
BANK_SIZE = sum(
    len(sub["questions"])
    for section in yaml.safe_load(FIXTURE_TEXT)["sections"]
    for sub in section["subsections"]
)
SEED_SHA256 = "6c92f571ab374489f02148d0e544962428d4aafb2b74a65dee70991f1032cfb7"


def _snapshot():
    return (
        list(Section.objects.order_by("pk").values()),
        list(Subsection.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
    )


def _edited(mutate) -> str:
    data = yaml.safe_load(FIXTURE_TEXT)
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_it_loads_the_seed_questions_word_for_word_in_seed_order(bank):
    for section, subsection, prompts in seed_outline():
        stored = Question.objects.filter(
            subsection__title=subsection, subsection__section__title=section, origin="seed"
        ).order_by("position")
        assert [q.prompt for q in stored] == prompts, f"{section} › {subsection}"
    seed_prompts = [p for *_, prompts in seed_outline() for p in prompts]
    in_bank_order = [q.prompt for q in Question.objects.in_bank_order() if q.origin == "seed"]
    assert in_bank_order == seed_prompts
    assert len(seed_prompts) == 65


def test_the_seed_document_copy_is_unchanged():
    data = (DEFAULT_FIXTURE.parent / "seed" / "000_75cea9149eb65fff.txt").read_bytes()
    # The SHA-256 of the original in shared/seed/, taken when it was copied in.
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256
    assert len(seed_outline()) == 13


def test_seeding_twice_changes_nothing(bank):
    before = _snapshot()
    report = seed_questions(text=FIXTURE_TEXT)
    assert (report.created, report.updated, report.deactivated) == (0, 0, 0)
    assert report.unchanged == BANK_SIZE
    assert _snapshot() == before


def test_dry_run_reports_but_writes_nothing(db):
    report = seed_questions(text=FIXTURE_TEXT, dry_run=True)
    assert report.created == BANK_SIZE
    assert Question.objects.count() == 0
    assert Section.objects.count() == 0


def test_a_question_that_leaves_the_file_is_deactivated_not_deleted(bank):
    def drop_first(data):
        data["sections"][0]["subsections"][0]["questions"].pop(0)

    report = seed_questions(text=_edited(drop_first))
    gone = Question.objects.get(key="what-is-generative-ai")
    assert report.deactivated == 1
    assert gone.is_active is False
    assert Question.objects.active().count() == BANK_SIZE - 1


def test_user_progress_survives_a_reseed_and_a_text_edit(bank, now):
    user = make_user()
    question = Question.objects.get(key="what-is-generative-ai")
    answer(user, question, 3, now)
    card_before = Card.objects.filter(user=user).values().get()

    def edit(data):
        data["sections"][0]["subsections"][0]["questions"][0]["prompt"] = "What is GenAI, really?"
        data["sections"][0]["subsections"][0]["questions"][0]["answer"] = "A new answer.\n"

    report = seed_questions(text=_edited(edit))
    question.refresh_from_db()
    assert report.updated == 1
    assert question.prompt == "What is GenAI, really?"
    assert question.version == 2
    assert Card.objects.filter(user=user).values().get() == card_before
    assert Review.objects.filter(user=user).count() == 1
    seed_questions(text=FIXTURE_TEXT)
    assert Card.objects.filter(user=user).values().get() == card_before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][1]["subsections"][0]["questions"][2].pop("prompt"),
         "sections[1].subsections[0].questions[2] (explain-the-architecture-of-a-transformer-model): missing field 'prompt'"),  # noqa: E501
        (lambda d: d["sections"][0]["subsections"][1]["questions"][0].update(key="what-is-generative-ai"),  # noqa: E501
         "duplicate key 'what-is-generative-ai' (first used at sections[0].subsections[0].questions[0])"),  # noqa: E501
        (lambda d: d["sections"][0]["subsections"][0]["questions"][1].update(rank="high"),
         "rank must be a whole number from 1 to 1000, got 'high'"),
        (lambda d: d["sections"][0]["subsections"][0]["questions"][1].update(rank=0),
         "rank must be a whole number from 1 to 1000, got 0"),
        (lambda d: d["sections"][0]["subsections"][0]["questions"][1].update(rank=1),
         "rank 1 is already used by what-is-generative-ai"),
        (lambda d: d["sections"][0]["subsections"][0]["questions"][1].update(origin="web"),
         "origin must be one of seed, added"),
        (lambda d: d["sections"][2].pop("title"), "sections[2]: missing field 'title'"),
        (lambda d: d["sections"][0]["subsections"][0].update(key="Not A Slug"), "must be a slug"),
    ],
)  # fmt: skip
def test_a_malformed_fixture_is_refused_naming_the_place_and_changes_nothing(bank, mutate, message):
    before = _snapshot()
    with pytest.raises(FixtureError) as error:
        seed_questions(text=_edited(mutate))
    assert message in str(error.value)
    assert _snapshot() == before


def test_invalid_yaml_is_refused_with_its_line(bank):
    before = _snapshot()
    with pytest.raises(FixtureError, match=r"not valid YAML at line 3, column \d+"):
        seed_questions(text="sections:\n  - key: a\n  title: [unclosed\n")
    assert _snapshot() == before


def test_the_command_reports_a_bad_file_and_exits_with_an_error(bank, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        _edited(lambda d: d["sections"][0]["subsections"][0]["questions"][0].pop("rank"))
    )
    before = _snapshot()
    with pytest.raises(CommandError, match=r"missing field 'rank'; nothing was changed"):
        call_command("seed_questions", file=bad)
    assert _snapshot() == before


def test_the_command_dry_run_prints_the_changes(db, capsys):
    call_command("seed_questions", dry_run=True)
    out = capsys.readouterr().out
    assert "+ question what-is-generative-ai" in out
    assert f"Dry run, nothing written: would be {BANK_SIZE} created" in out
    assert Question.objects.count() == 0


def test_the_fixture_format_round_trips():
    assert parse(dump(parse(FIXTURE_TEXT))) == parse(FIXTURE_TEXT)


def test_reordering_in_the_file_reorders_the_bank(bank):
    def swap(data):
        qs = data["sections"][0]["subsections"][0]["questions"]
        qs[0], qs[1] = qs[1], qs[0]

    seed_questions(text=_edited(swap))
    first_two = Question.objects.in_bank_order()[:2]
    assert [q.key for q in first_two] == [
        "how-does-generative-ai-differ-from-traditional-ai",
        "what-is-generative-ai",
    ]
