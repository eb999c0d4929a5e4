"""Search (#16): the query syntax, the same results on PostgreSQL and SQLite, snippets that escape
what they show, the query in the URL, an empty state, and studying what was found."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from flashcards import search
from flashcards.models import Card, Note, Question

from .conftest import MEASURED, answer, make_question, make_user
from .search_eval import evaluate, summary
from .sqlite import run_on_sqlite

HTMX = {"HX-Request": "true"}
NOTED = datetime(2026, 11, 29, tzinfo=UTC)
KV_CACHE = "what-is-the-kv-cache-why-does-it-speed-up-inference-and-how"
PAGED = "how-does-pagedattention-manage-kv-cache-memory-and-what-does"
QUANTIZATION = "how-does-quantization-make-llm-inference-cheaper-and-how-do"


def _keys(user, text: str, questions=None) -> list[str]:
    questions = Question.objects.active() if questions is None else questions
    found = search.find(questions, search.parse(text), user)
    return [q.key for q in found]


# --- The query syntax --------------------------------------------------------------------------


def test_the_parser_reads_words_phrases_exclusions_and_hyphens():
    query = search.parse('LoRA "chain of thought" -GAN KV-cache the vs')
    assert query.terms == (
        search.Term(("lora",)),
        search.Term(("chain", "of", "thought")),
        search.Term(("gan",), excluded=True),
        search.Term(("kv", "cache")),
    )
    assert search.to_tsquery(query) == (
        "(lora) & (chain <-> of <-> thought) & (kv <-> cache) & !(gan)"
    )
    assert search.to_fts5(query) == (
        '(("lora") AND ("chain of thought") AND ("kv cache")) NOT (("gan"))'
    )


def test_british_and_american_spellings_are_alternatives():
    assert search.spellings("quantisation") == ("quantisation", "quantization")
    assert search.spellings("optimizing") == ("optimizing", "optimising")
    assert search.spellings("rise") == ("rise",)  # too short to be a spelling variant
    assert search.to_fts5(search.parse("tokenised text")) == (
        '("tokenised" OR "tokenized") AND ("text")'
    )


def test_only_stop_words_or_only_exclusions_find_nothing(user, bank):
    for text in ["the", "what is", "-gan", '"" -rag']:
        assert not search.parse(text)
        assert _keys(user, text) == []


@pytest.mark.parametrize(
    "text", ["a & b | !c", "x:* <-> y", "'; DROP TABLE flashcards_question; --", 'near("a b")']
)
def test_operators_typed_by_the_learner_are_only_words(user, bank, text):
    """Nothing typed can change the query's structure or fail it (each is one search)."""
    _keys(user, text)
    assert Question.objects.count() == len(bank)


# --- Matching and ranking on PostgreSQL ----------------------------------------------------------


def test_every_word_must_match(user, bank):
    both = _keys(user, "kv cache")
    assert both[:2] == [KV_CACHE, PAGED]
    assert 0 < len(both) < 20  # not the whole bank, as the old rank > 0 filter returned
    for key in both:
        question = Question.objects.get(key=key)
        text = f"{question.prompt} {question.key_points} {question.answer}".lower()
        assert "kv" in text and "cache" in text, key


def test_hyphens_spellings_and_stems_match_each_other(user, bank):
    assert _keys(user, "KV-cache")[:2] == [KV_CACHE, PAGED]
    assert _keys(user, "quantisation")[0] == QUANTIZATION
    assert _keys(user, "quantised")[0] == QUANTIZATION  # stemmed: quantized / quantization
    assert _keys(user, "fine tuning") == _keys(user, "fine-tuning") != []


def test_a_phrase_must_match_in_order_and_an_exclusion_removes(user, bank):
    phrase = set(_keys(user, '"cache kv"'))
    assert KV_CACHE not in phrase
    found = _keys(user, "kv cache -paged")
    assert KV_CACHE in found and PAGED not in found


def test_the_prompt_outranks_key_points_the_answer_and_the_note(user, db):
    """The same words in each place: where they are decides the order (not bank rank)."""
    note_only = make_question(prompt="First?")
    Note.objects.create(user=user, question=note_only, text="A zeugma.", updated_at=NOTED)
    in_answer = make_question(prompt="Second?", answer="A zeugma.")
    in_points = make_question(prompt="Third?", key_points=["A zeugma."])
    in_prompt = make_question(prompt="A zeugma?")
    assert _keys(user, "zeugma") == [in_prompt.key, in_points.key, in_answer.key, note_only.key]


def test_only_the_questions_passed_in_are_searched(user, bank):
    """The caller limits what the learner may see: here, one section, and never inactive ones."""
    kv = Question.objects.get(key=KV_CACHE)
    Question.objects.filter(key=PAGED).update(is_active=False)
    assert PAGED not in _keys(user, "kv cache")
    within = Question.objects.active().filter(subsection=kv.subsection)
    assert set(_keys(user, "kv cache", within)) <= set(within.values_list("key", flat=True))


def test_the_index_follows_edits_to_the_bank(user, bank):
    question = bank[5]
    assert _keys(user, "xylophone") == []
    question.answer += " A xylophone appears."
    question.key_points = [*question.key_points, "Naïve résumé"]
    question.save()
    assert _keys(user, "xylophone") == [question.key]
    assert _keys(user, "résumé") == [question.key]


def test_own_notes_are_searched_and_nobody_elses(user, bank):
    bob = make_user("bob")
    Note.objects.create(user=bob, question=bank[3], text="zanzibar", updated_at=NOTED)
    assert _keys(user, "zanzibar") == []
    assert _keys(bob, "zanzibar") == [bank[3].key]


def test_the_query_set_is_measured_on_postgresql(user, bank):
    figures = evaluate(user)
    line = summary("PostgreSQL", figures)
    MEASURED.append(line)
    assert figures["queries"] >= 35
    assert figures["first"] >= 0.9 * figures["queries"], (line, figures["misses"])
    assert figures["top3"] == figures["queries"], (line, figures["misses"])


# --- The same on SQLite -------------------------------------------------------------------------

SQLITE_RUN = r"""
import json
import django

django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from flashcards import search
from flashcards.models import Note, Question, StudySettings
from tests.search_eval import evaluate

assert connection.vendor == "sqlite", connection.vendor
call_command("migrate", verbosity=0)
call_command("seed_questions", verbosity=0)
ann = User.objects.create_user("ann", password="x")
bob = User.objects.create_user("bob", password="x")
StudySettings.objects.create(user=ann)


def keys(user, text):
    return [q.key for q in search.find(Question.objects.active(), search.parse(text), user)]


checks = {
    "kv cache": keys(ann, "kv cache")[:2],
    "KV-cache": keys(ann, "KV-cache")[:2],
    "quantisation": keys(ann, "quantisation")[:1],
    "phrase": "what-is-the-kv-cache-why-does-it-speed-up-inference-and-how"
    in keys(ann, '"cache kv"'),
    "exclusion": "how-does-pagedattention-manage-kv-cache-memory-and-what-does"
    in keys(ann, "kv cache -paged"),
    "stop words only": keys(ann, "the what"),
}
question = Question.objects.get(key="what-is-generative-ai")
Note.objects.create(user=bob, question=question, text="zanzibar", updated_at=timezone.now())
checks["others' notes"] = keys(ann, "zanzibar")
checks["own notes"] = keys(bob, "zanzibar")
question.answer += " A xylophone appears."
question.key_points = [*question.key_points, "Naïve résumé"]
question.save()
checks["edited"] = keys(ann, "xylophone") + keys(ann, "résumé")
Note.objects.filter(user=bob).update(text="zebu")
checks["note edited"] = (keys(bob, "zanzibar"), keys(bob, "zebu"))
Note.objects.filter(user=bob).delete()
checks["note deleted"] = keys(bob, "zebu")
client = Client()
client.force_login(ann)
page = client.get("/browse/", {"q": "kv cache"}).content.decode()
checks["browse"] = "<mark>KV</mark> <mark>cache</mark>" in page and "Study these results" in page
study = client.get("/study/", {"scope": "search:kv cache"})
checks["study"] = study.status_code
print("RESULT " + json.dumps({"figures": evaluate(ann), "checks": checks}))
"""


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory):
    result = run_on_sqlite(SQLITE_RUN, tmp_path_factory.mktemp("search") / "db.sqlite3")
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_sqlite_matches_like_postgresql(on_sqlite):
    checks = on_sqlite["checks"]
    assert checks["kv cache"] == checks["KV-cache"] == [KV_CACHE, PAGED]
    assert checks["quantisation"] == [QUANTIZATION]
    assert checks["phrase"] is False and checks["exclusion"] is False
    assert checks["stop words only"] == []
    assert checks["others' notes"] == [] and checks["own notes"] == ["what-is-generative-ai"]
    assert checks["edited"] == ["what-is-generative-ai"] * 2  # key points read as text
    assert checks["note edited"] == [[], ["what-is-generative-ai"]]
    assert checks["note deleted"] == []
    assert checks["browse"] is True and checks["study"] == 200


def test_the_query_set_is_measured_on_sqlite(on_sqlite):
    figures = on_sqlite["figures"]
    line = summary("SQLite", figures)
    MEASURED.append(line)
    assert figures["first"] >= 0.9 * figures["queries"], (line, figures["misses"])
    assert figures["top3"] == figures["queries"], (line, figures["misses"])


# --- Browse ------------------------------------------------------------------------------------


def test_results_mark_the_words_in_the_prompt_and_a_snippet(client_for, user, bank):
    page = client_for(user).get(reverse("browse"), {"q": "kv cache"}).content.decode()
    assert "What is the <mark>KV</mark> <mark>cache</mark>, why does it speed up" in page
    assert 'data-testid="snippet"' in page
    assert "best match first" in page


def test_snippets_escape_what_they_show(client_for, user, db):
    question = make_question(
        prompt="Is <script>alert(1)</script> zeugma?", answer="<img src=x onerror=alert(2)> zeugma"
    )
    Note.objects.create(user=user, question=question, text="<b>zeugma</b>", updated_at=NOTED)
    page = client_for(user).get(reverse("browse"), {"q": "zeugma"}).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>zeugma</mark>?" in page
    assert "&lt;img src=x onerror=alert(2) <mark>zeugma</mark>" in page


def test_no_results_show_an_empty_state_with_suggestions(client_for, user, bank):
    page = client_for(user).get(reverse("browse"), {"q": "zzzqqq"}).content.decode()
    assert "No question matches “zzzqqq”" in page
    assert "best match first" not in page and "Study these results" not in page
    assert 'href="/browse/?q=kv%20cache"' in page


def test_htmx_gets_the_results_and_a_history_restore_the_whole_page(client_for, user, bank):
    client = client_for(user)
    partial = client.get(reverse("browse"), {"q": "rlhf"}, headers=HTMX)
    assert partial.content.decode().lstrip().startswith('<div id="results"')
    assert "HX-Request" in partial["Vary"]
    restore = {**HTMX, "HX-History-Restore-Request": "true"}
    whole = client.get(reverse("browse"), {"q": "rlhf"}, headers=restore).content.decode()
    assert "<html" in whole and 'value="rlhf"' in whole


def test_a_search_too_long_is_refused(client_for, user, bank):
    response = client_for(user).get(reverse("browse"), {"q": "x" * 201})
    assert response.status_code == 400 and b"Invalid search." in response.content


# --- Study these results -----------------------------------------------------------------------


def _study(client, scope: str, **headers):
    return client.get(reverse("study"), {"scope": scope}, headers=headers)


def test_study_these_results_covers_exactly_the_matching_cards(client_for, user, bank, now):
    """A filtered deck: the matching new and due cards, no daily limit, counted on their own."""
    client = client_for(user)
    found = _keys(user, "kv cache")
    due = Question.objects.get(key=found[1])
    answer(user, due, 1, now)  # a learning card, due in a minute
    Card.objects.filter(user=user, question=due).update(due=now)
    elsewhere = next(q for q in bank if q.key not in found)
    answer(user, elsewhere, 1, now)
    Card.objects.filter(user=user, question=elsewhere).update(due=now)
    page = _study(client, "search:kv cache").content.decode()
    assert "Search results for “kv cache”" in page
    assert f'data-testid="left-new"><strong>{len(found) - 1}</strong> new' in page
    assert 'data-testid="left-learning"><strong>1</strong> learning' in page
    assert len(found) - 1 > 10  # more than the daily limit of new cards: a scope has none
    # The due card first, then the matching new cards: each answered in scope until none is left.
    seen = []
    for _ in range(len(found)):
        html = _study(client, "search:kv cache").content.decode()
        question = next(q for q in bank if f"/study/{q.pk}/reveal/" in html)
        seen.append(question.key)
        card = Card.objects.filter(user=user, question=question).first()
        response = client.post(
            reverse("answer", args=[question.pk]),
            {"rating": 4, "reps": card.reps if card else 0, "scope": "search:kv cache"},
            headers=HTMX,
        )
        assert response.status_code == 200
    assert seen[0] == due.key and sorted(seen) == sorted(found)
    done = _study(client, "search:kv cache").content.decode()
    assert 'data-testid="done-for-today"' in done
    assert elsewhere.key not in seen


@pytest.mark.parametrize("scope", ["search:", "search:the", "search:-rag", "search:" + "x" * 201])
def test_a_search_scope_without_words_is_not_found(client_for, user, bank, scope):
    assert _study(client_for(user), scope).status_code == 404


def test_own_cards_are_searched_and_studied_for_their_owner_only(client_for, user, bank):
    from .conftest import make_own_card

    own = make_own_card(user, prompt="How would I shard the zanzibarian embedding index?",
                        answer="By tenant, with a router in front.")  # fmt: skip
    other = make_user("other")
    client = client_for(user)
    page = client.get(reverse("browse"), {"q": "zanzibarian sharding"}).content.decode()
    assert f"/cards/{own.pk}/" in page
    study = _study(client, "search:zanzibarian").content.decode()
    assert f"/study/{own.pk}/reveal/" in study
    client = client_for(other)
    page = client.get(reverse("browse"), {"q": "zanzibarian"}).content.decode()
    assert "How would I shard" not in page and f"/cards/{own.pk}/" not in page
    study = _study(client, "search:zanzibarian").content.decode()
    assert f"/study/{own.pk}/" not in study and "How would I shard" not in study
