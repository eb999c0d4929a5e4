"""The question-bank fixture format: reading and validating it, and writing it back out.

The file is a readable tree: sections → subsections → questions, in bank order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError

from .rendering import text_errors

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RULE = "must be a slug (lowercase letters, digits, hyphens)"
ORIGINS = ("seed", "added")
FORMULA_FIELDS = ("answer", "key_points", "follow_up", "follow_up_answer", "follow_up_key_points")
QUESTION_FIELDS = (
    "key", "prompt", "rank", "origin", "answer", "key_points",
    "follow_up", "follow_up_answer", "follow_up_key_points",
)  # fmt: skip


# What a question may hold, whichever way it enters the bank (this file or the admin): every
# page that shows, searches, exports or weighs a question relies on these.
MAX_RANK = 1000
TEXT_LIMITS = {"prompt": 500, "answer": 20_000, "follow_up": 2_000, "follow_up_answer": 10_000}
TITLE_LIMIT = 200
KEY_POINT_LIMIT = 300
MAX_KEY_POINTS = 20
CUE_LIMIT = 100
MAX_CUES = 30
# Kept for learners' own cards (#16, flashcards/own_cards.py): their generated keys start with
# this, and their own area is this subsection key, so the bank's file may use neither.
OWN_KEY_PREFIX = "own-"
MY_QUESTIONS_KEY = "my-questions"
POINT_LISTS = {"key_points": "key_point_cues", "follow_up_key_points": "follow_up_key_point_cues"}


class FixtureError(ValueError):
    """The fixture is malformed; the message names the place."""


def split_points(items: list, where: str) -> tuple[list, list[list[str]]]:
    """Split a key point list as written in the file into texts and cues (one list per point).

    In the file a key point is a plain string (no cues yet) or a mapping {point: text, cues:
    [cue, ...]}. The bank stores the texts (what learners see) and, beside them, the cues (what
    the built-in coach listens for, flashcards/coach.py) in the same order.
    """
    if not isinstance(items, list):
        return items, []
    texts, cues = [], []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            unknown = set(item) - {"point", "cues"}
            if unknown or not isinstance(item.get("cues"), list):
                raise FixtureError(
                    f"{where}[{i}]: a key point with cues is a mapping with 'point' and a "
                    "list 'cues'"
                )
            texts.append(item.get("point"))
            cues.append(item["cues"])
        else:
            texts.append(item)
            cues.append([])
    return texts, (cues if any(cues) else [])


def join_points(texts: list[str], cues: list[list[str]]) -> list:
    """The inverse of split_points: the list as written in the file."""
    if not cues:
        return list(texts)
    return [
        {"point": text, "cues": _Flow(point_cues)} if point_cues else text
        for text, point_cues in zip(texts, cues, strict=True)
    ]


def cue_problems(points: list[str], cues: list) -> str | None:
    """What is wrong with the cues of a key point list, or None."""
    if cues and len(cues) != len(points):
        return "there must be one cue list per key point"
    for point_cues in cues:
        if not isinstance(point_cues, list) or not all(
            isinstance(c, str) and c.strip() and ";" not in c for c in point_cues
        ):
            return "cues must be a list of non-empty text without ';'"
        if len(point_cues) > MAX_CUES:
            return f"at most {MAX_CUES} cues are allowed per key point"
        if any(len(c) > CUE_LIMIT for c in point_cues):
            return f"each cue must be at most {CUE_LIMIT} characters"
    return None


def _formula_problems(fields: dict) -> dict[str, str]:
    """Return the first formula that cannot be rendered in each field that has one."""
    problems = {}
    for name in FORMULA_FIELDS:
        value = fields.get(name) or ""
        if not isinstance(value, str | list):
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for i, text in items:
            errors = text_errors(text) if isinstance(text, str) else []
            if errors:
                place = name if i is None else f"{name}[{i}]"
                problems[name] = f"{place}: {errors[0]}"
                break
    return problems


def question_problems(fields: dict) -> dict[str, str]:
    """Return what is wrong with a question's fields, by field name; empty when it is valid.

    Checks only the fields given (an admin form may show a few of them). The one validation of
    question content, shared by the fixture loader and the admin.
    """
    problems = {}
    if "rank" in fields:
        rank = fields["rank"]
        if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= MAX_RANK:
            problems["rank"] = f"rank must be a whole number from 1 to {MAX_RANK}, got {rank!r}"
    for name, limit in TEXT_LIMITS.items():
        if name not in fields:
            continue
        value = fields[name]
        if not isinstance(value, str):
            problems[name] = f"'{name}' must be text"
        elif len(value) > limit:
            problems[name] = f"'{name}' is {len(value)} characters; at most {limit} are allowed"
    for name in ("key_points", "follow_up_key_points"):
        if name not in fields:
            continue
        points = fields[name]
        if not isinstance(points, list) or not all(
            isinstance(p, str) and p.strip() for p in points
        ):
            problems[name] = f"{name} must be a list of text"
        elif len(points) > MAX_KEY_POINTS:
            problems[name] = f"at most {MAX_KEY_POINTS} key points are allowed"
        elif any(len(p) > KEY_POINT_LIMIT for p in points):
            problems[name] = f"each key point must be at most {KEY_POINT_LIMIT} characters"
        elif any("|" in p for p in points):
            problems[name] = "a key point may not contain '|' (it separates the cues in the admin)"
        elif POINT_LISTS[name] in fields:
            problem = cue_problems(points, fields[POINT_LISTS[name]])
            if problem:
                problems[name] = problem
    for name, problem in _formula_problems(fields).items():
        problems.setdefault(name, problem)
    return problems


@dataclass
class QuestionSpec:
    key: str
    prompt: str
    rank: int
    origin: str
    answer: str = ""
    key_points: list[str] = field(default_factory=list)
    follow_up: str = ""
    follow_up_answer: str = ""
    follow_up_key_points: list[str] = field(default_factory=list)
    key_point_cues: list[list[str]] = field(default_factory=list)
    follow_up_key_point_cues: list[list[str]] = field(default_factory=list)


@dataclass
class SubsectionSpec:
    key: str
    title: str
    questions: list[QuestionSpec]


@dataclass
class SectionSpec:
    key: str
    title: str
    subsections: list[SubsectionSpec]


def validate_key(key: str) -> None:
    """The one rule for section, subsection and question keys, in the file and in the admin:
    a key the admin saves is one `seed_questions` accepts and a URL can carry."""
    if not SLUG.match(key):
        raise ValidationError(f"Key '{key}' {KEY_RULE}.", code="invalid_key")


def _require(node: dict, name: str, where: str, kind: type = str):
    if not isinstance(node, dict):
        raise FixtureError(f"{where}: expected a mapping")
    if name not in node or node[name] is None:
        raise FixtureError(f"{where}: missing field '{name}'")
    value = node[name]
    if kind is str and (not isinstance(value, str) or not value.strip()):
        raise FixtureError(f"{where}: '{name}' must be non-empty text")
    if name == "title" and len(value) > TITLE_LIMIT:
        raise FixtureError(f"{where}: 'title' is longer than {TITLE_LIMIT} characters")
    if kind is list and not isinstance(value, list):
        raise FixtureError(f"{where}: '{name}' must be a list")
    return value


def _key(node: dict, where: str, seen: dict[str, str]) -> str:
    key = _require(node, "key", where)
    try:
        validate_key(key)
    except ValidationError as error:
        raise FixtureError(f"{where}: {error.messages[0]}") from None
    if key in seen:
        raise FixtureError(f"{where}: duplicate key '{key}' (first used at {seen[key]})")
    seen[key] = where
    return key


def _question(node: dict, where: str, keys: dict, ranks: dict) -> QuestionSpec:
    key = _key(node, where, keys)
    where = f"{where} ({key})"
    if key.startswith(OWN_KEY_PREFIX):
        raise FixtureError(f"{where}: keys starting '{OWN_KEY_PREFIX}' are kept for own cards")
    rank = _require(node, "rank", where, int)
    origin = _require(node, "origin", where)
    if origin not in ORIGINS:
        raise FixtureError(f"{where}: origin must be one of {', '.join(ORIGINS)}, got '{origin}'")
    unknown = set(node) - set(QUESTION_FIELDS)
    if unknown:
        raise FixtureError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    key_points, key_point_cues = split_points(node.get("key_points") or [], f"{where}.key_points")
    follow_up_key_points, follow_up_key_point_cues = split_points(
        node.get("follow_up_key_points") or [], f"{where}.follow_up_key_points"
    )
    problems = question_problems(
        {
            "rank": rank,
            "prompt": _require(node, "prompt", where),
            "answer": node.get("answer") or "",
            "follow_up": node.get("follow_up") or "",
            "follow_up_answer": node.get("follow_up_answer") or "",
            "key_points": key_points,
            "follow_up_key_points": follow_up_key_points,
            "key_point_cues": key_point_cues,
            "follow_up_key_point_cues": follow_up_key_point_cues,
        }
    )
    if problems:
        raise FixtureError(f"{where}: {next(iter(problems.values()))}")
    if rank in ranks:
        raise FixtureError(f"{where}: rank {rank} is already used by {ranks[rank]}")
    ranks[rank] = key
    return QuestionSpec(
        key=key,
        prompt=_require(node, "prompt", where),
        rank=rank,
        origin=origin,
        answer=node.get("answer") or "",
        key_points=key_points,
        follow_up=node.get("follow_up") or "",
        follow_up_answer=node.get("follow_up_answer") or "",
        follow_up_key_points=follow_up_key_points,
        key_point_cues=key_point_cues,
        follow_up_key_point_cues=follow_up_key_point_cues,
    )


def parse(text: str) -> list[SectionSpec]:
    """Return the bank described by fixture text, or raise FixtureError naming the bad place."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise FixtureError(
            f"not valid YAML at {place}: {getattr(error, 'problem', error)}"
        ) from None
    if not isinstance(data, dict):
        raise FixtureError("top level: expected a mapping with 'sections'")
    section_keys: dict[str, str] = {}
    subsection_keys: dict[str, str] = {}
    question_keys: dict[str, str] = {}
    ranks: dict[int, str] = {}
    sections = []
    for i, s_node in enumerate(_require(data, "sections", "top level", list)):
        s_where = f"sections[{i}]"
        subsections = []
        for j, ss_node in enumerate(_require(s_node, "subsections", s_where, list)):
            ss_where = f"{s_where}.subsections[{j}]"
            questions = [
                _question(q_node, f"{ss_where}.questions[{k}]", question_keys, ranks)
                for k, q_node in enumerate(_require(ss_node, "questions", ss_where, list))
            ]
            ss_key = _key(ss_node, ss_where, subsection_keys)
            if ss_key == MY_QUESTIONS_KEY:
                raise FixtureError(f"{ss_where}: the key '{ss_key}' is kept for own cards")
            subsections.append(
                SubsectionSpec(
                    key=ss_key,
                    title=_require(ss_node, "title", ss_where),
                    questions=questions,
                )
            )
        sections.append(
            SectionSpec(
                key=_key(s_node, s_where, section_keys),
                title=_require(s_node, "title", s_where),
                subsections=subsections,
            )
        )
    return sections


class _Dumper(yaml.SafeDumper):
    pass


class _Flow(list):
    """A list written on one line, [a, b, c] (cues)."""


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(
    _Flow,
    lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", value, flow_style=True
    ),
)

HEADER = (
    "# GenAI Interview Prep question bank: sections > subsections > questions, in bank order.\n"
    "# rank: interview likelihood across the whole bank (1 = most likely).\n"
    "# origin: seed (from fixtures/seed/, word for word) or added.\n"
    "# Load with `python manage.py seed_questions`; write back with `export_questions`.\n"
    "# Formulas: LaTeX in $...$ (inline) or $$...$$ (display), rendered as MathML.\n"
    "# Why the ranks are what they are: docs/CONTENT_REVIEW.md, section Ranking for 2026.\n"
)


OPTIONAL_FIELDS = ("follow_up_answer", "follow_up_key_points")


def _question_tree(question: QuestionSpec) -> dict:
    # Optional fields are written only when filled, so a file without them round-trips.
    tree = {
        name: getattr(question, name)
        for name in QUESTION_FIELDS
        if name not in OPTIONAL_FIELDS or getattr(question, name)
    }
    for name, cues_name in POINT_LISTS.items():
        if name in tree:
            tree[name] = join_points(tree[name], getattr(question, cues_name))
    return tree


def dump(sections: list[SectionSpec]) -> str:
    """Return fixture text for a bank; parse(dump(bank)) gives the bank back."""
    tree = {
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "subsections": [
                    {
                        "key": ss.key,
                        "title": ss.title,
                        "questions": [_question_tree(q) for q in ss.questions],
                    }
                    for ss in s.subsections
                ],
            }
            for s in sections
        ]
    }
    body = yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return HEADER + body
