"""The question-bank fixture format: reading and validating it, and writing it back out.

The file is a readable tree: sections → subsections → questions, in bank order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RULE = "must be a slug (lowercase letters, digits, hyphens)"
ORIGINS = ("seed", "added")
QUESTION_FIELDS = ("key", "prompt", "rank", "origin", "answer", "key_points", "follow_up")


class FixtureError(ValueError):
    """The fixture is malformed; the message names the place."""


@dataclass
class QuestionSpec:
    key: str
    prompt: str
    rank: int
    origin: str
    answer: str = ""
    key_points: list[str] = field(default_factory=list)
    follow_up: str = ""


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
    rank = _require(node, "rank", where, int)
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise FixtureError(f"{where}: rank must be a whole number from 1 up, got {rank!r}")
    if rank in ranks:
        raise FixtureError(f"{where}: rank {rank} is already used by {ranks[rank]}")
    ranks[rank] = key
    origin = _require(node, "origin", where)
    if origin not in ORIGINS:
        raise FixtureError(f"{where}: origin must be one of {', '.join(ORIGINS)}, got '{origin}'")
    key_points = node.get("key_points") or []
    if not isinstance(key_points, list) or not all(
        isinstance(p, str) and p.strip() for p in key_points
    ):
        raise FixtureError(f"{where}: key_points must be a list of text")
    unknown = set(node) - set(QUESTION_FIELDS)
    if unknown:
        raise FixtureError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in ("answer", "follow_up"):
        if not isinstance(node.get(name) or "", str):
            raise FixtureError(f"{where}: '{name}' must be text")
    return QuestionSpec(
        key=key,
        prompt=_require(node, "prompt", where),
        rank=rank,
        origin=origin,
        answer=node.get("answer") or "",
        key_points=key_points,
        follow_up=node.get("follow_up") or "",
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
            subsections.append(
                SubsectionSpec(
                    key=_key(ss_node, ss_where, subsection_keys),
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


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)

HEADER = (
    "# GenAI Interview Prep question bank: sections > subsections > questions, in bank order.\n"
    "# rank: interview likelihood across the whole bank (1 = most likely).\n"
    "# origin: seed (from fixtures/seed/, word for word) or added.\n"
    "# Load with `python manage.py seed_questions`; write back with `export_questions`.\n"
)


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
                        "questions": [
                            {name: getattr(q, name) for name in QUESTION_FIELDS}
                            for q in ss.questions
                        ],
                    }
                    for ss in s.subsections
                ],
            }
            for s in sections
        ]
    }
    body = yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return HEADER + body
