"""Searching the cards a learner may see: one query syntax, read by PostgreSQL's full-text search
or SQLite's FTS5 index, with the same rules on both.

Every word must match (stemmed by the database), "quoted words" must match as a phrase, -word
excludes, hyphenated words match as a phrase of their parts (KV-cache = "kv cache"), and British
and American spellings match each other (quantisation = quantization). A card matches when its
prompt, key points and answer contain every word, or the learner's own note on it does. The
ranking weighs a match in the prompt above the key points, the answer, then the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import accumulate, product

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

# Words too common to narrow a search, dropped from the query (not from quoted phrases) on both
# databases alike, so that "rag vs fine-tuning" asks for what the learner means.
_STOP_WORDS = """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves vs versus v
    explain describe tell difference s t don"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
MAX_TERMS = 12  # words and phrases in one query: enough for anything typed, bounded work
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")

# One British/American spelling pair per rule: (British ending, American ending).
_SPELLINGS = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ises", "izes"), ("ising", "izing"), ("iser", "izer"), ("isers", "izers"),
    ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"), ("our", "or"), ("ours", "ors"),
    ("lling", "ling"), ("lled", "led"),
)  # fmt: skip
_MIN_STEM = 4  # "rise" is not "rize": a rule applies only with this much of the word before it


def spellings(word: str) -> tuple[str, ...]:
    """The word and its other spelling (British or American), if it has one."""
    for british, american in _SPELLINGS:
        for ending, other in ((british, american), (american, british)):
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                return (word, word[: -len(ending)] + other)
    return (word,)


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of words in order; excluded terms must not match."""

    words: tuple[str, ...]
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def included(self) -> list[Term]:
        return [t for t in self.terms if not t.excluded]

    @property
    def excluded(self) -> list[Term]:
        return [t for t in self.terms if t.excluded]

    def __bool__(self) -> bool:
        """A query finds something only with at least one word that must match."""
        return bool(self.included)

    @property
    def words(self) -> set[str]:
        """The words to highlight in results."""
        return {w for t in self.included for w in t.words}


def parse(text: str) -> Query:
    """Read what the learner typed: words, "phrases", -exclusions."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(text.lower()):
        quoted = match[2] is not None
        excluded = bool(match[1] if quoted else match[3])
        words = tuple(_WORD.findall(match[2] if quoted else match[4]))
        if words and not all(w in STOP_WORDS for w in words):
            term = Term(words, excluded)
            if term not in terms:
                terms.append(term)
    return Query(tuple(terms[:MAX_TERMS]))


# --- The query in each database's syntax -------------------------------------------------------


def _pg_word(word: str) -> str:
    forms = spellings(word)
    return forms[0] if len(forms) == 1 else f"({' | '.join(forms)})"


def _pg_term(term: Term) -> str:
    # A phrase of stop words keeps their places (PostgreSQL drops them, counting the gap).
    return "(" + " <-> ".join(_pg_word(w) for w in term.words) + ")"


def to_tsquery(query: Query) -> str:
    """The query for PostgreSQL's to_tsquery('english', ...): every word is letters and digits
    only, so nothing the learner types can change its structure."""
    parts = [_pg_term(t) for t in query.included]
    parts += [f"!{_pg_term(t)}" for t in query.excluded]
    return " & ".join(parts)


def _fts5_term(term: Term) -> str:
    # FTS5 phrases cannot hold alternatives: each spelling of the phrase is its own phrase.
    phrases = [" ".join(words) for words in product(*(spellings(w) for w in term.words))]
    return "(" + " OR ".join(f'"{p}"' for p in phrases) + ")"


def to_fts5(query: Query) -> str:
    """The query for SQLite's FTS5 MATCH: every word quoted, so none is read as an operator."""
    match = " AND ".join(_fts5_term(t) for t in query.included)
    if query.excluded:
        match = f"({match}) NOT ({' OR '.join(_fts5_term(t) for t in query.excluded)})"
    return match


# --- Running it ---------------------------------------------------------------------------------

# ts_rank's weights for D, C, B, A: the note, the answer, the key points, the prompt.
PG_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
# bm25 weights for the FTS5 columns prompt, key points, answer; a note's score is scaled down.
FTS5_WEIGHTS = (10.0, 4.0, 1.0)
FTS5_NOTE_SHARE = 0.2

_PG_SCORES = f"""
    WITH search AS (SELECT to_tsquery('english', %(query)s) AS query)
    SELECT id, SUM(score) FROM (
        SELECT q.id, ts_rank('{PG_WEIGHTS}', q.search_vector, search.query, 1) AS score
        FROM flashcards_question q, search WHERE q.search_vector @@ search.query
      UNION ALL
        SELECT n.question_id, ts_rank('{PG_WEIGHTS}', v.vector, search.query, 1)
        FROM flashcards_note n, search,
             LATERAL (SELECT setweight(to_tsvector('english', n.text), 'D') AS vector) v
        WHERE n.user_id = %(user)s AND v.vector @@ search.query
    ) found GROUP BY id"""

_FTS5_SCORES = f"""
    SELECT id, SUM(score) FROM (
        SELECT rowid AS id, -bm25(flashcards_question_fts, {", ".join(map(str, FTS5_WEIGHTS))})
            AS score
        FROM flashcards_question_fts WHERE flashcards_question_fts MATCH %(query)s
      UNION ALL
        SELECT n.question_id, -bm25(flashcards_note_fts) * {FTS5_NOTE_SHARE}
        FROM flashcards_note_fts JOIN flashcards_note n ON n.id = flashcards_note_fts.rowid
        WHERE flashcards_note_fts MATCH %(query)s AND n.user_id = %(user)s
    ) found GROUP BY id"""


def scores(query: Query, user) -> dict[int, float]:
    """How well each matching question scores (higher is better) for this learner, whose own
    notes are searched too; questions not in the result do not match."""
    if not query:
        return {}
    if connection.vendor == "postgresql":
        sql, match = _PG_SCORES, to_tsquery(query)
    else:
        sql, match = _FTS5_SCORES, to_fts5(query)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"query": match, "user": user.pk})
        return {question_id: float(score) for question_id, score in cursor.fetchall()}


def _prompt_fit(prompt: str, query: Query) -> float:
    """How squarely a prompt asks about the query: the share of its terms in the prompt, and how
    early the first one comes (a prompt *about* RLHF names it first, one comparing with it later).
    Computed the same way whatever the database, from 0 to 1.5."""
    words = [w for w in (_stem(w) for w in _WORD.findall(prompt.lower())) if w not in STOP_WORDS]
    terms = [{_stem(w) for w in t.words if w not in STOP_WORDS} for t in query.included]
    terms = [t for t in terms if t]
    if not terms or not words:
        return 0.0
    covered = sum(t <= set(words) for t in terms) / len(terms)
    first = min((i for i, w in enumerate(words) if any(w in t for t in terms)), default=None)
    return covered + (0.5 / (1 + first) if first is not None else 0.0)


def _ranked(rows, found: dict[int, float], query: Query) -> list:
    """Order (pk, rank, prompt, item) rows by the database's score (scaled to 0 to 1, as PostgreSQL
    and SQLite score on different scales) plus the prompt's fit; then by interview likelihood."""
    top = max(found.values()) or 1.0

    def key(row):
        pk, rank, prompt, _ = row
        return (-(found[pk] / top + _prompt_fit(prompt, query)), rank, pk)

    return [row[3] for row in sorted(rows, key=key)]


def find(questions: QuerySet, query: Query, user) -> list:
    """The questions of `questions` (those the learner may see) that match, best first."""
    found = scores(query, user)
    if not found:
        return []
    rows = [(q.pk, q.rank, q.prompt, q) for q in questions.filter(pk__in=found)]
    return _ranked(rows, found, query)


def matching_ids(questions: QuerySet, query: Query, user) -> list[int]:
    """The ids of the questions of `questions` that match, best first."""
    found = scores(query, user)
    if not found:
        return []
    rows = questions.filter(pk__in=found).values_list("pk", "rank", "prompt", "pk")
    return _ranked(rows, found, query)


# --- Showing where it matched -------------------------------------------------------------------

_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "ly")
SNIPPET_WORDS = 28  # words of context in a result's snippet
_MARKUP = re.compile(r"[`*_#>|$\\]+")


@lru_cache(maxsize=16384)  # the bank's vocabulary: each word's stem is worked out once
def _stem(word: str) -> str:
    """A rough stem, only to decide which words of a result to highlight (the databases do the
    real stemming when they match)."""
    for british, american in _SPELLINGS:
        if word.endswith(british) and len(word) - len(british) >= _MIN_STEM:
            word = word[: -len(british)] + american
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _marks(words: list[str], stems: set[str]) -> list[bool]:
    return [_stem(w.lower()) in stems for w in words]


_SPLIT = re.compile(r"([^\W_]+)")


def highlight(text: str, query: Query) -> SafeString:
    """The text, escaped, with the query's words marked."""
    stems = {_stem(w) for w in query.words}
    pieces = _SPLIT.split(text)
    marked = [
        (piece, i % 2 == 1 and _stem(piece.lower()) in stems) for i, piece in enumerate(pieces)
    ]
    return _join(marked)


def _join(pieces: list[tuple[str, bool]]) -> SafeString:
    """Pieces of plain text as HTML: every piece escaped, the marked ones wrapped in <mark>."""
    parts = [f"<mark>{escape(p)}</mark>" if hit else escape(p) for p, hit in pieces]
    return mark_safe("".join(parts))  # noqa: S308 - built only from escaped text and <mark>


def plain(markdown_text: str) -> str:
    """Markdown as the words a reader sees, for snippets."""
    return " ".join(_MARKUP.sub(" ", markdown_text).split())


@dataclass(frozen=True)
class Snippet:
    """Where a result matched: which text ("Answer", "Your note"…) and an extract, marked."""

    where: str
    html: SafeString


def snippet(texts: list[tuple[str, str]], query: Query) -> Snippet | None:
    """A short extract of the (label, text) where the query's words appear most, with them
    marked; None if none of them appears in any text."""
    stems = {_stem(w) for w in query.words}
    best, best_hits = None, 0
    for where, text in texts:
        words = plain(text).split()
        hits = _marks(words, stems)
        if sum(hits) > best_hits:
            best, best_hits = (where, words, hits), sum(hits)
    if best is None:
        return None
    where, words, hits = best
    # The window of SNIPPET_WORDS words holding the most matches, starting a little before.
    totals = list(accumulate(hits, initial=0))  # matches before each word
    last = max(1, len(words) - SNIPPET_WORDS + 1)
    counts = [totals[min(i + SNIPPET_WORDS, len(words))] - totals[i] for i in range(last)]
    start = max(0, counts.index(max(counts)) - 2)
    end = min(len(words), start + SNIPPET_WORDS)
    pieces: list[tuple[str, bool]] = [("… " if start else "", False)]
    for word in words[start:end]:
        for i, piece in enumerate(_SPLIT.split(word)):
            pieces.append((piece, i % 2 == 1 and _stem(piece.lower()) in stems))
        pieces.append((" ", False))
    pieces.append(("…" if end < len(words) else "", False))
    return Snippet(where, _join(pieces))


def mark_results(questions: list, query: Query) -> None:
    """Give each result its prompt with the query's words marked, and a snippet of where else
    it matched (key points, answer, or the learner's note, annotated as `note_text`)."""
    for question in questions:
        question.marked_prompt = highlight(question.prompt, query)
        texts = [("Key point", point) for point in question.key_points]
        texts += [("Answer", question.answer), ("Your note", question.note_text or "")]
        question.snippet = snippet(texts, query)
