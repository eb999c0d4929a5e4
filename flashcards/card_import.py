"""Importing own cards from a CSV or tab-separated file (#16): read, check, preview, create.

Reads what other tools write: Anki's "Notes in Plain Text" (tab-separated, with optional
`#separator:` / `#columns:` / `#tags column:` lines at the top), Quizlet's export (term and
definition per line) and this app's own `own_cards.csv` from "Your data" (so an export imported
into a new account recreates the cards). Nothing is created until every line is right: the
preview names each problem by line and column, and the import creates all cards in one
transaction.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from . import fixture, own_cards, tags
from .exports import FORMULA_STARTS
from .models import Question, Subsection

MAX_BYTES = 1_000_000  # one megabyte: far more than a job description's worth of questions
MAX_ROWS = 500
IGNORED = "ignored"
# What a header cell may say, for each field we read (compared lower-cased, with spaces,
# hyphens and underscores removed).
HEADER_NAMES = {
    "prompt": {"prompt", "question", "front", "term", "text"},
    "answer": {"answer", "back", "definition", "extra"},
    "key_points": {"keypoints", "keypoint", "points"},
    "tags": {"tags", "tag"},
    "follow_up": {"followup", "followupquestion"},
    "priority": {"priority"},
    "section": {"section"},
    "subsection": {"subsection"},
    IGNORED: {"key", "questionkey", "id", "guid", "notetype", "deck"},  # read past, not imported
}
# Without a header, columns are read in this order (a two-column file is term / definition).
POSITIONAL = ("prompt", "answer", "key_points", "tags")
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
# Our exports neutralise a cell a spreadsheet would run as a formula (FORMULA_STARTS) with a
# leading apostrophe; reading one back removes it.
TAG_SPLIT = re.compile(r"[\s,]+")  # tags: Anki separates them by spaces


@dataclass(frozen=True)
class Problem:
    line: int
    column: int | None  # 1-based; None when the whole line (or file) is at fault
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    card: own_cards.OwnCard
    tags: tuple[str, ...]


@dataclass
class Preview:
    """What an import would create, what it would skip, and what stops it."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportRefused(Exception):
    """The file cannot be imported as it is (the message says why)."""


def decode(data: bytes) -> str:
    """The file's text; raise ImportRefused naming the line when it is not UTF-8 text."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is {len(data):,} bytes; at most {MAX_BYTES:,} are allowed.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            f"Line {line} is not UTF-8 text. Save the file as UTF-8 (in a spreadsheet: "
            "CSV UTF-8) and upload it again."
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRefused(f"Line {line} holds a NUL character: is this a text file?")
    return text


def _directives(lines: list[str]) -> tuple[dict[str, str], int]:
    """Anki's `#key:value` lines at the top of a plain-text export, and how many there are."""
    found = {}
    for count, line in enumerate(lines):
        match = re.match(r"^#([a-z ]+):(.*)$", line.rstrip("\r"))
        if not match:
            return found, count
        found[match.group(1).strip()] = match.group(2)
    return found, len(lines)


def _separator(directive: str | None, first_line: str) -> str:
    if directive:
        return SEPARATORS.get(directive.strip().lower(), directive.strip()[:1] or "\t")
    if "\t" in first_line:
        return "\t"
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;|").delimiter
    except csv.Error:
        return ","


def _columns_from(directives: dict[str, str]) -> list[str | None]:
    """The columns Anki's directives name (`#columns:`, `#tags column:`, and the note type or
    deck columns, which are skipped); empty when they name none (a header row, or the
    positional order, decides then)."""
    if "columns" in directives:
        return [_header_field(c) for c in re.split(r"[\t,;|]", directives["columns"])]
    reserved = {}
    for key, value in directives.items():
        if key.endswith(" column") and value.strip().isdigit() and int(value) >= 1:
            reserved[int(value) - 1] = "tags" if key == "tags column" else None
    if not reserved:
        return []
    width = max(reserved) + 1 + len(POSITIONAL)
    positional = iter([f for f in POSITIONAL if f not in reserved.values()])
    columns = [reserved[i] if i in reserved else next(positional, None) for i in range(width)]
    while columns and columns[-1] is None:
        columns.pop()
    return columns


def _header_field(cell: str) -> str | None:
    name = re.sub(r"[\s_\-]+", "", cell.strip().lower())
    return next((f for f, names in HEADER_NAMES.items() if name in names), None)


def _prompt_key(prompt: str) -> str:
    """Two prompts are the same card when they differ only in case and spacing."""
    return " ".join(prompt.split()).casefold()


def _own_prompts(user) -> set[str]:
    """The learner's own cards' prompts, compared as `_prompt_key` compares them."""
    own = Question.visible.to(user).filter(owner=user).values_list("prompt", flat=True)
    return {_prompt_key(prompt) for prompt in own}


def read(text: str, *, user, subsection: Subsection | None, priority: str) -> Preview:
    """Check every line of `text` and say what an import would create for `user`, placed under
    `subsection` (None: My questions) with `priority` unless the file's columns say otherwise."""
    preview = Preview()
    lines = text.splitlines()
    directives, skip = _directives(lines)
    body = "\n".join(lines[skip:])
    first = next((line for line in lines[skip:] if line.strip()), "")
    reader = csv.reader(io.StringIO(body), delimiter=_separator(directives.get("separator"), first))
    columns = _columns_from(directives)
    existing = _own_prompts(user)
    subsections = {
        (s.section.title.casefold(), s.title.casefold()): s
        for s in Subsection.objects.select_related("section")
    }
    seen: set[str] = set()
    line = skip + 1
    try:
        for cells in reader:
            start, line = line, skip + reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if not columns:
                named = [_header_field(cell) for cell in cells]
                pairs = zip(named, cells, strict=True)
                if "prompt" in named and all(n or not c.strip() for n, c in pairs):
                    columns = named  # a header row
                    continue
                columns = list(POSITIONAL)
            if len(preview.rows) + len(preview.problems) >= MAX_ROWS:
                preview.problems.append(
                    Problem(start, None, f"more than {MAX_ROWS} cards in one file: split it")
                )
                break
            row = _row(start, cells, columns, subsection, priority, subsections, preview)
            if row is None:
                continue
            key = _prompt_key(row.card.prompt)
            if key in existing or key in seen:
                preview.duplicates += 1
                continue
            seen.add(key)
            preview.rows.append(row)
    except csv.Error as error:
        preview.problems.append(Problem(line, None, f"cannot be read ({error})"))
    if not preview.rows and not preview.problems and not preview.duplicates:
        preview.problems.append(Problem(1, None, "the file holds no cards"))
    return preview


def _row(line, cells, columns, subsection, priority, subsections, preview) -> Row | None:
    """One line's card, or None after noting its problems in `preview`."""
    values: dict[str, str] = {}
    column_of: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = columns[index] if index < len(columns) else None
        if cell.startswith("'") and cell[1:2] and cell[1:2] in FORMULA_STARTS:
            cell = cell[1:]
        if name is None or name == IGNORED:
            if cell.strip() and index >= len(columns):
                preview.problems.append(
                    Problem(line, index + 1, "an extra column: this file has no such field")
                )
                return None
            continue
        values[name], column_of[name] = cell, index + 1
    problems = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(line, column_of.get(name), message))

    prompt = values.get("prompt", "").strip()
    if not prompt:
        problem("prompt", "the question is empty")
    points = _points(values.get("key_points", ""))
    fields = {"prompt": prompt, "answer": values.get("answer", ""), "key_points": points,
              "follow_up": values.get("follow_up", "").strip()}  # fmt: skip
    for name, message in fixture.question_problems(fields).items():
        problem(name, message)
    names = []
    for raw in TAG_SPLIT.split(values.get("tags", "").strip()):
        if raw:
            try:
                names.append(tags.normalise(raw))
            except ValueError as error:
                problem("tags", f"tag {raw!r}: {error}")
    chosen = values.get("priority", "").strip().lower() or priority
    if chosen not in Question.Priority.values:
        problem("priority", f"priority must be one of {', '.join(Question.Priority.values)}")
    place = subsection
    section_title = values.get("section", "").strip()
    subsection_title = values.get("subsection", "").strip()
    if section_title or subsection_title:
        place = subsections.get((section_title.casefold(), subsection_title.casefold()))
        if place is None:
            problem("subsection", f"no subsection {subsection_title!r} in {section_title!r}")
    if problems:
        preview.problems.extend(problems)
        return None
    card = own_cards.OwnCard(
        prompt=prompt, answer=fields["answer"], key_points=points,
        follow_up=fields["follow_up"], subsection=place, priority=chosen,
    )  # fmt: skip
    return Row(line, card, tuple(dict.fromkeys(names)))


def _points(cell: str) -> list[str]:
    """Key points: one per line when the cell has several lines, else separated by ";"."""
    lines = cell.strip().splitlines() if "\n" in cell.strip() else cell.split(";")
    return [point.strip() for point in lines if point.strip()]


def cards_import(*, user, preview: Preview) -> int:
    """Create every card of a clean preview, with its tags, in one transaction; return how many.
    A card whose prompt the learner already has (written meanwhile) is skipped."""
    if not preview.ok:
        raise ImportRefused("Fix the problems listed first: nothing was created.")
    created = 0
    with transaction.atomic():
        existing = _own_prompts(user)
        for row in preview.rows:
            if _prompt_key(row.card.prompt) in existing:
                continue
            question = own_cards.own_card_create(user=user, card=row.card)
            for name in row.tags:
                tags.tag_add(user=user, question=question, name=name)
            created += 1
    return created
