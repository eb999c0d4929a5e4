"""The built-in coach: compares a typed answer with a question's key points through their cues.

Deterministic and local. A key point is covered when the answer contains one of its cues (words,
phrases, abbreviations, formula spellings an interviewer accepts), after normalising both sides:
Unicode (NFKC, so ᵀ is T and ² is 2; √ is "sqrt"; every dash is a hyphen), case, hyphenation and
spacing ("key-value", "key value" and "keyvalue" are the same), plurals and simple inflections
("caches", "cached", "caching"), and one typo in words of six letters or more. Cues match whole
words only, never inside another word.

Keyword salad: the words of an answer that are not part of a matched cue must include at least one
connecting word (is, the, of, because, …) and make up at least a quarter of the answer; otherwise
the answer is a list of terms with no sentence around them, and it covers no key point.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The suggested rating, as FSRS ratings (the study buttons) with the learner-facing words.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_LABELS = {AGAIN: "Didn't know", HARD: "Low", GOOD: "Medium", EASY: "High"}

NOT_ADDRESSED = "This answer does not address the question: it covers none of the key points."
SALAD = (
    "This answer lists terms without sentences that say anything about them, so it counts as "
    "covering nothing: explain how the ideas connect."
)

_CONNECTING = """
a an the is are was were be been being am it its this that these those there of to in on
at by for from with without into onto over under between through about as than then so
because since while when whereas which who whom whose what how why where and or but not no
nor if unless until each every all any some both either neither can could will would shall
should may might must do does did has have had get gets uses use used using makes make
made gives give means mean lets let keeps keep only also just instead rather more less
most least very much many few one two we you they he she i my our your their them us me
"""
CONNECTING_WORDS = frozenset(_CONNECTING.split())
_DROPPED = frozenset({"a", "an", "the"})  # ignored inside cue phrases on both sides
_TOKEN = re.compile(r"√|[^\W_]+(?:\^[^\W_]+)*")
_SENTENCE_END = re.compile(r"[)\]\"']*(?:[.!?;]\s|[.!?;]$|\s*\n)")
TYPO_MIN_LENGTH = 6
MAX_GAP = 2  # words allowed inside a cue phrase ("keys and the values")
SALAD_MIN_SHARE = 0.25


def _stem(word: str) -> str:
    """A light suffix stripper, the same for cues and answers (so only consistency matters)."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word.replace("isat", "izat").replace("ise", "ize") if len(word) > 5 else word


@dataclass(frozen=True)
class Token:
    word: str  # normalised, not stemmed
    stem: str
    start: int  # offsets in the original text
    end: int
    ends_sentence: bool  # followed by . ! ? ; or a line break


def tokens(text: str) -> list[Token]:
    """Split text into normalised word tokens with their place in the original text."""
    found = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        word = "sqrt" if raw == "√" else unicodedata.normalize("NFKC", raw).casefold()
        word = word.replace("^", "")
        ends = bool(_SENTENCE_END.match(text, match.end()))
        found.append(Token(word, _stem(word), match.start(), match.end(), ends))
    return found


def _close(a: str, b: str) -> bool:
    """Whether two stems are equal, or one edit apart when both are long words."""
    if a == b:
        return True
    if min(len(a), len(b)) < TYPO_MIN_LENGTH - 1 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i = diffs[0]  # a swap of two neighbouring letters
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@dataclass
class Cue:
    text: str
    stems: tuple[str, ...]  # the cue's words
    joined: str  # the cue written as one word ("keyvalue")

    @classmethod
    def of(cls, text: str) -> Cue | None:
        words = [t.word for t in tokens(text) if t.word not in _DROPPED] or [
            t.word for t in tokens(text)
        ]
        if not words:
            return None
        return cls(text, tuple(_stem(w) for w in words), _stem("".join(words)))


@dataclass
class Match:
    cue: str
    start: int  # where the learner's words that matched it are in the answer
    end: int
    said: str  # those words


def _in_order(stems: tuple[str, ...], words: list[Token], i: int) -> int | None:
    """The last token of the cue's words found in order from token i, with at most MAX_GAP
    other words between them in all (and no sentence end), or None."""
    if not _close(stems[0], words[i].stem):
        return None
    at, gap = i, 0
    for stem in stems[1:]:
        at += 1
        while at < len(words) and not _close(stem, words[at].stem):
            if words[at - 1].ends_sentence or gap == MAX_GAP:
                return None
            at, gap = at + 1, gap + 1
        if at >= len(words) or words[at - 1].ends_sentence:
            return None
    return at


def _find(cue: Cue, words: list[Token]) -> list[tuple[int, int]]:
    """Where a cue occurs in the answer's tokens: (first token, last token) pairs."""
    found = []
    n = len(cue.stems)
    for i in range(len(words)):
        if n > 1:
            last = _in_order(cue.stems, words, i)
            if last is not None:
                found.append((i, last))
                continue
        if n == 1 and _close(cue.stems[0], words[i].stem):
            found.append((i, i))
            continue
        # the same letters split or joined differently: "keyvalue cache", "pre-training"
        if len(cue.joined) < TYPO_MIN_LENGTH:
            continue
        joined, j = "", i
        while j < len(words) and len(joined) < len(cue.joined):
            joined += words[j].word
            j += 1
        if j - i != n and _close(cue.joined, _stem(joined)):
            found.append((i, j - 1))
    return found


@dataclass
class PointVerdict:
    point: str
    covered: bool
    matches: list[Match] = field(default_factory=list)

    @property
    def matched_words(self) -> list[str]:
        return [m.cue for m in self.matches]


@dataclass
class Feedback:
    points: list[PointVerdict]
    rating: int
    salad: bool
    answer: str

    @property
    def covered(self) -> list[int]:
        return [i for i, p in enumerate(self.points) if p.covered]

    @property
    def rating_label(self) -> str:
        return RATING_LABELS[self.rating]

    @property
    def message(self) -> str:
        if self.salad:
            return SALAD
        if self.points and not self.covered:
            return NOT_ADDRESSED
        return ""

    def highlighted(self) -> SafeString:
        """The answer as HTML (escaped) with the words that covered a key point in <mark>."""
        spans = sorted({(m.start, m.end) for p in self.points if p.covered for m in p.matches})
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, at = [], 0
        for start, end in merged:
            out.append(escape(self.answer[at:start]))
            out.append(f"<mark>{escape(self.answer[start:end])}</mark>")
            at = end
        out.append(escape(self.answer[at:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece of the answer is escaped

    def as_dict(self) -> dict:
        return {
            "rating": self.rating,
            "rating_label": self.rating_label,
            "message": self.message,
            "keyword_salad": self.salad,
            "points": [
                {
                    "point": p.point,
                    "covered": p.covered,
                    "matched": [
                        {
                            "cue": m.cue,
                            "text": self.answer[m.start : m.end],
                            "start": m.start,
                            "end": m.end,
                        }  # fmt: skip
                        for m in p.matches
                    ],
                }
                for p in self.points
            ],
        }


def suggested_rating(covered: int, total: int) -> int:
    """None covered: Didn't know; under half: Low; at least half: Medium; all: High."""
    if not total or covered == 0:
        return AGAIN
    if covered == total:
        return EASY
    return GOOD if covered / total >= 0.5 else HARD


def coach(answer: str, points: list[str], cues: list[list[str]], prompt: str = "") -> Feedback:
    """The built-in coach's feedback on one typed answer to a list of key points.

    A cue that the question's own prompt contains is not evidence: repeating the question's terms
    ("the KV cache", "GPTQ and AWQ") says nothing about them.
    """
    asked = [t for t in tokens(prompt) if t.word not in _DROPPED]
    every = tokens(answer)
    words = [t for t in every if t.word not in _DROPPED]
    articles = len(every) - len(words)
    cue_lists = cues if len(cues) == len(points) else [[] for _ in points]
    verdicts, used = [], set()
    for point, point_cues in zip(points, cue_lists, strict=True):
        matches = []
        for text in point_cues:
            cue = Cue.of(text)
            if cue is None or _find(cue, asked):
                continue
            for first, last in _find(cue, words):
                start, end = words[first].start, words[last].end
                matches.append(Match(text, start, end, answer[start:end]))
                used.update(range(first, last + 1))
        verdicts.append(PointVerdict(point, bool(matches), matches))
    rest = [w for i, w in enumerate(words) if i not in used]
    salad = bool(used) and (
        not (articles or any(w.word in CONNECTING_WORDS for w in rest))
        or len(rest) + articles < SALAD_MIN_SHARE * len(every)
    )
    if salad:
        for verdict in verdicts:
            verdict.covered = False
    covered = sum(v.covered for v in verdicts)
    return Feedback(verdicts, suggested_rating(covered, len(points)), salad, answer)


def coach_question(question, answer: str, *, follow_up: bool = False) -> Feedback:
    """The coach's feedback on an answer to a bank question (or to its follow-up)."""
    if follow_up:
        return coach(
            answer, question.follow_up_key_points, question.follow_up_key_point_cues,
            question.follow_up,
        )  # fmt: skip
    return coach(answer, question.key_points, question.key_point_cues, question.prompt)
