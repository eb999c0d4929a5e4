"""The search measurement, shared by the PostgreSQL test and the SQLite run (tests/test_search.py):
each query of search_queries.yaml against the seeded bank, scored by where its question comes."""

from __future__ import annotations

from pathlib import Path

import yaml

QUERIES = Path(__file__).with_name("search_queries.yaml")


def evaluate(user) -> dict:
    """First-place and top-3 rates over the query set, with the queries that missed."""
    from flashcards import search
    from flashcards.models import Question

    cases = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    keys = dict(Question.objects.values_list("pk", "key"))
    first, top3, misses = 0, 0, []
    for case in cases:
        ids = search.matching_ids(Question.objects.active(), search.parse(case["q"]), user)
        found = [keys[pk] for pk in ids[:3]]
        first += bool(found) and found[0] in case["expect"]
        top3 += any(key in case["expect"] for key in found)
        if not found or found[0] not in case["expect"]:
            misses.append((case["q"], found))
    return {"queries": len(cases), "first": first, "top3": top3, "misses": misses}


def summary(database: str, figures: dict) -> str:
    n = figures["queries"]
    return (
        f"search on {database}: intended question first for {figures['first']}/{n} "
        f"({100 * figures['first'] / n:.0f}%), in the top 3 for {figures['top3']}/{n} "
        f"({100 * figures['top3'] / n:.0f}%)"
    )
