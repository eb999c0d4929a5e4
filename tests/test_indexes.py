"""The hot queries use index scans on a planner-realistic data set (300 learners × 100 cards,
150,000 reviews), not sequential scans of the growing tables."""

import re
from datetime import timedelta

import pytest
from django.db import connection

from loadtest.scale import bulk_statements, hot_queries

from .conftest import answer, make_user

BIG_TABLES = ("flashcards_card", "flashcards_review")


@pytest.fixture
def realistic(bank, now):
    with connection.cursor() as cursor:
        for sql, params in bulk_statements(learners=300, reviews_per_card=5):
            cursor.execute(sql, params)
    user = make_user("measured")
    for question in bank[:40]:
        answer(user, question, 3, now - timedelta(days=40))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return user


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_data_set_is_big_enough_to_matter(realistic):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM flashcards_card")
        assert cursor.fetchone()[0] > 30_000
        cursor.execute("SELECT count(*) FROM flashcards_review")
        assert cursor.fetchone()[0] > 150_000


def test_hot_queries_use_indexes_not_sequential_scans(realistic):
    problems = []
    for name, sql in hot_queries(realistic).items():
        plan = _plan(sql)
        for table in BIG_TABLES:
            if re.search(rf"Seq Scan on {table}\b", plan):
                problems.append(f"{name}: sequential scan of {table}\n{plan}")
        if not re.search(r"Index (Only )?Scan|Bitmap Index Scan", plan):
            problems.append(f"{name}: no index used\n{plan}")
    assert problems == []
