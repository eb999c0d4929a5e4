"""Reads the original seed document (fixtures/seed/) into its headers, sub-headers and questions."""

import re
from pathlib import Path

SEED_FILE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "seed" / "000_75cea9149eb65fff.txt"
)

_SECTION = re.compile(r"^### (?P<title>.+?)\s*$")
_SUBSECTION = re.compile(r"^\d+\. \*\*(?P<title>.+?)\*\*\s*$")
_QUESTION = re.compile(r"^\s+\d+\. (?P<prompt>.+?)\s*$")


def seed_outline(path: Path = SEED_FILE) -> list[tuple[str, str, list[str]]]:
    """Return [(section title, subsection title, [question prompts])] in document order."""
    outline: list[tuple[str, str, list[str]]] = []
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := _SECTION.match(line):
            section = match["title"]
        elif (match := _SUBSECTION.match(line)) and section:
            outline.append((section, match["title"], []))
        elif (match := _QUESTION.match(line)) and outline:
            outline[-1][2].append(match["prompt"])
    return outline
