"""The built-in coach: its matching rules, its quality on the evaluation set, and its command."""

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from flashcards import coach
from flashcards.fixture import parse
from flashcards.seeding import DEFAULT_FIXTURE

EVAL_SET = Path(__file__).parent / "coach_eval" / "answers.yaml"
OFF_TOPIC_CEILING = coach.HARD  # "low"


def _bank() -> dict:
    return {
        q.key: q
        for s in parse(DEFAULT_FIXTURE.read_text())
        for ss in s.subsections
        for q in ss.questions
    }


def evaluate() -> dict:
    """Run the coach over the evaluation set with the fixture's real cues."""
    bank = _bank()
    items = yaml.safe_load(EVAL_SET.read_text())
    tp = fp = fn = 0
    misses, off_topic_too_high = [], []
    for item in items:
        question = bank[item["question"]]
        feedback = coach.coach(
            item["answer"], question.key_points, question.key_point_cues, question.prompt
        )
        said, truth = set(feedback.covered), set(item["covered"])
        tp += len(said & truth)
        fp += len(said - truth)
        fn += len(truth - said)
        if said != truth:
            misses.append((item["question"], item["kind"], sorted(said), sorted(truth)))
        if item["kind"] == "off-topic" and feedback.rating > OFF_TOPIC_CEILING:
            off_topic_too_high.append(item["answer"])
    return {
        "answers": len(items),
        "questions": len({i["question"] for i in items}),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "misses": misses,
        "off_topic_too_high": off_topic_too_high,
    }


def test_the_evaluation_set_is_big_and_varied_enough():
    items = yaml.safe_load(EVAL_SET.read_text())
    bank = _bank()
    assert len(items) >= 120
    assert len({i["question"] for i in items}) >= 30
    kinds = {i["kind"] for i in items}
    assert kinds >= {"paraphrase", "partial", "wrong", "off-topic", "salad", "short", "long"}
    for item in items:
        assert all(0 <= i < len(bank[item["question"]].key_points) for i in item["covered"])


def test_every_key_point_in_the_bank_has_cues():
    for question in _bank().values():
        assert len(question.key_point_cues) == len(question.key_points), question.key
        assert all(question.key_point_cues), question.key


def test_coach_quality_on_the_evaluation_set(capsys):
    result = evaluate()
    with capsys.disabled():
        print(
            f"\ncoach on {result['answers']} answers over {result['questions']} questions: "
            f"precision {result['precision']:.3f}, recall {result['recall']:.3f} for 'covered'; "
            f"off-topic answers rated above low: {len(result['off_topic_too_high'])}"
        )
    assert result["precision"] >= 0.85
    assert result["recall"] >= 0.75
    assert result["off_topic_too_high"] == []


POINTS = ["Caches past keys and values", "Decode is memory-bound"]
CUES = [["KV cache", "key-value cache", "cached keys and values"], ["memory-bound"]]


@pytest.mark.parametrize(
    "answer",
    [
        "It is a key value cache that we keep.",  # spacing instead of a hyphen
        "It is a keyvalue cache that we keep.",  # written as one word
        "It is a KEY–VALUE CACHE that we keep.",  # en dash, capitals
        "It is the KV caches that we keep.",  # plural
        "It is the cache of cached key and values.",  # inflection
    ],
)
def test_spelling_variants_of_a_cue_are_recognised(answer):
    feedback = coach.coach(answer, POINTS, CUES)
    assert feedback.covered == [0]


def test_a_typo_is_tolerated_in_long_words_only():
    cues = [["rotary embedding"], ["GAN"]]
    assert coach.coach("It uses a rotray embedding here.", POINTS, cues).covered == [0]
    assert coach.coach("It is what we can use here.", POINTS, cues).covered == []


def test_a_cue_never_matches_inside_another_word():
    cues = [["GAN"], ["RAG"]]
    feedback = coach.coach("The organ is a fragment of a storage system.", POINTS, cues)
    assert feedback.covered == []


def test_unicode_formulas_match_their_ascii_spelling():
    cues = [["QK^T", "sqrt d_k"], ["O(n^2)"]]
    feedback = coach.coach("Weights are softmax(QKᵀ/√d_k) and cost is O(n²).", POINTS, cues)
    assert feedback.covered == [0, 1]


def test_a_keyword_salad_covers_nothing_and_says_why():
    salad = coach.coach("KV cache memory-bound", POINTS, CUES)
    assert salad.covered == [] and salad.salad and salad.rating == coach.AGAIN
    assert "without sentences" in salad.message
    sentence = coach.coach("The KV cache makes decoding memory-bound.", POINTS, CUES)
    assert sentence.covered == [0, 1] and sentence.rating == coach.EASY and not sentence.salad


def test_an_answer_that_covers_nothing_is_told_so():
    feedback = coach.coach("Gradient boosting fits trees to residuals.", POINTS, CUES)
    assert feedback.rating == coach.AGAIN
    assert feedback.message == coach.NOT_ADDRESSED


@pytest.mark.parametrize(
    ("covered", "total", "rating"),
    [(0, 4, coach.AGAIN), (1, 4, coach.HARD), (2, 4, coach.GOOD), (3, 4, coach.GOOD),
     (4, 4, coach.EASY), (1, 3, coach.HARD), (2, 3, coach.GOOD)],
)  # fmt: skip
def test_suggested_rating_follows_the_share_covered(covered, total, rating):
    assert coach.suggested_rating(covered, total) == rating


def test_highlighting_escapes_the_learners_text():
    answer = "<script>x</script> the KV cache & more"
    html = coach.coach(answer, POINTS, CUES).highlighted()
    assert "<script>" not in html
    assert html == "&lt;script&gt;x&lt;/script&gt; the <mark>KV cache</mark> &amp; more"


def test_the_coach_command_prints_verdicts_and_json(bank, tmp_path, capsys):
    key = "what-is-the-kv-cache-why-does-it-speed-up-inference-and-how"
    path = tmp_path / "answer.txt"
    path.write_text("It stores the keys and values so they are not recomputed for each token.")
    call_command("coach", key, "--answer-file", str(path))
    out = capsys.readouterr().out
    assert "covered" in out and "missed" in out and "Suggested rating: Low" in out
    call_command("coach", key, "--answer-file", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["rating"] == coach.HARD
    assert [p["covered"] for p in data["points"]] == [True, False, False, False]
    assert data["points"][0]["matched"][0]["text"]
