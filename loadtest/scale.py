"""Scale check: 10,000 learners × 100 cards (1,000,000 card states) and 5,000,000 reviews.

    python -m loadtest.scale [--learners 10000] [--reviews-per-card 5]

Measures the hot queries for one learner on a database holding only that learner, then again
after the bulk load (rows generated inside PostgreSQL with INSERT … SELECT generate_series),
and prints the plans. Writes test-artifacts/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from datetime import timedelta

import psycopg

from .harness import ADMIN_URL, ROOT, manage, server_env

DATABASE = "genai_prep_scale"


def _url() -> str:
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{DATABASE}"


def _setup_django() -> None:
    os.environ.update({**server_env(1, 1), "DATABASE_URL": _url()})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genai_prep.settings")
    import django

    django.setup()


def hot_queries(user) -> dict[str, tuple[str, list]]:
    """The SQL of the due-card query, the next-card query and the dashboard's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from flashcards import queue, readiness, reviews

    now = timezone.now()
    settings = reviews.study_settings_for(user)
    day = queue.study_day(now, settings)
    found = {}
    # The statement next_card() runs first when cards are due, and when only new cards are left.
    for name, due, new in (("due cards", 1, 0), ("next new card", 0, 1)):
        counts = queue.Today(due=due, new=new, learning_later=0, done=0, next_due=None)
        with CaptureQueriesContext(connection) as captured:
            queue.next_card(user, settings, now, counts)
        found[name] = captured.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as captured:
        queue.today(user, settings, now)
    found["today's counts (study, dashboard)"] = captured.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as captured:
        rows = readiness.bank_rows(user, day.end - timedelta(days=30))
    found["bank with card states (dashboard)"] = captured.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as captured:
        readiness.readiness_trend(rows, user, settings, now)
    found["30-day review window (dashboard)"] = captured.captured_queries[-1]["sql"]
    return found


def explain(sql: str, runs: int = 41) -> tuple[float, str, int]:
    """Median execution time (ms, from EXPLAIN ANALYZE), the plan, and the buffers the statement
    touched (a count of pages, not a timing: unlike sub-millisecond times on a shared machine, it
    does not vary from run to run)."""
    from django.db import connection

    times, plan = [], ""
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            times.append(float(lines[-1].split(":")[1].split()[0]))
            plan = "\n".join(lines)
    top = next((line for line in plan.splitlines() if "Buffers:" in line), "")
    buffers = sum(int(n) for n in re.findall(r"(?:hit|read)=(\d+)", top))
    return statistics.median(times), plan, buffers


def bulk_statements(learners: int, reviews_per_card: int) -> list[tuple[str, list]]:
    """SQL that generates learners, their settings, 100 cards each and their reviews inside
    PostgreSQL (the test suite runs a small version of it to check query plans)."""
    return [
        ("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
         " email, is_staff, is_active, date_joined)"
         " SELECT '!', false, 'bulk' || g, '', '', '', false, true, now()"
         " FROM generate_series(1, %s) g", [learners]),
        ("INSERT INTO flashcards_studysettings (user_id, new_per_day, desired_retention,"
         " time_zone, day_starts_at, theme, extra_new, type_before_reveal, llm_coach)"
         " SELECT id, 10, 0.9, 'UTC', 4, 'system', 0, false, false"
         " FROM auth_user WHERE username LIKE 'bulk%%'", []),
        ("INSERT INTO flashcards_card (user_id, question_id, state, step, stability, difficulty,"
         " due, last_review, reps, lapses, suspended, seen_version, created_at)"
         " SELECT u.id, q.id, 2, NULL, 5 + (u.id + q.id) %% 60, 5,"
         " now() + ((u.id * 7 + q.id * 13) %% 90 - 30) * interval '1 day',"
         " now() - ((u.id + q.id) %% 30) * interval '1 day', %s, (u.id + q.id) %% 3, false,"
         " 1, now() FROM auth_user u CROSS JOIN flashcards_question q"
         " WHERE u.username LIKE 'bulk%%'", [reviews_per_card]),
        ("INSERT INTO flashcards_review (user_id, card_id, question_id, known, confidence,"
         " rating, source, reviewed_at, duration_ms, state_before, state_after,"
          " stability_after, difficulty_after, due_after, seen_version_before)"
         " SELECT c.user_id, c.id, c.question_id, (c.id + i) %% 5 <> 0, 2, 3, 'study',"
         " now() - ((c.id + i * 17) %% 365) * interval '1 day', 8000,"
         " CASE WHEN i = 1 THEN 0 ELSE 2 END, 2, 5 + i, 5,"
         " now() + ((c.id + i) %% 30) * interval '1 day', 1"
         " FROM flashcards_card c CROSS JOIN generate_series(1, %s) i"
         " JOIN auth_user u ON u.id = c.user_id WHERE u.username LIKE 'bulk%%'",
         [reviews_per_card]),
        ("ANALYZE", []),
    ]  # fmt: skip


def bulk_load(learners: int, reviews_per_card: int) -> float:
    started = time.monotonic()
    with psycopg.connect(_url(), autocommit=True) as conn:
        for sql, params in bulk_statements(learners, reviews_per_card):
            conn.execute(sql, params)
    return time.monotonic() - started


def run(learners: int, reviews_per_card: int) -> dict:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    env = {**server_env(1, 1), "DATABASE_URL": _url()}
    manage("migrate", "--noinput", env=env)
    began = time.perf_counter()
    manage("seed_questions", env=env)
    seed_seconds = time.perf_counter() - began  # includes starting Python and Django
    _setup_django()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from flashcards.models import Question, StudySettings
    from tests.conftest import answer

    user = User.objects.create_user("measured", password="x")
    StudySettings.objects.create(user=user)
    now = timezone.now()
    for i, question in enumerate(Question.objects.order_by("rank")[:60]):
        for k in range(5):
            answer(user, question, 3 if k % 4 else 1, now - timedelta(days=200 - 30 * k, hours=i))
    with psycopg.connect(_url(), autocommit=True) as conn:
        conn.execute("ANALYZE")
    small = {name: explain(sql) for name, sql in hot_queries(user).items()}
    load_seconds = bulk_load(learners, reviews_per_card)
    large = {name: explain(sql) for name, sql in hot_queries(user).items()}
    from flashcards.models import Card, Review

    return {
        "learners": User.objects.count(),
        "card_states": Card.objects.count(),
        "reviews": Review.objects.count(),
        "bulk_load_seconds": round(load_seconds),
        "seed_command_seconds": round(seed_seconds, 2),
        "queries": {
            name: {"empty_ms": small[name][0], "full_ms": large[name][0],
                   "ratio": large[name][0] / small[name][0], "plan_full": large[name][1],
                   "buffers_empty": small[name][2], "buffers_full": large[name][2]}
            for name in small
        },
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--reviews-per-card", type=int, default=5)
    args = parser.parse_args()
    result = run(args.learners, args.reviews_per_card)
    out = ROOT / "test-artifacts" / "scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    for name, q in result["queries"].items():
        print(
            f"{name}: {q['empty_ms']:.3f} ms → {q['full_ms']:.3f} ms (×{q['ratio']:.2f}), "
            f"buffers {q['buffers_empty']} → {q['buffers_full']}"
        )
    print({k: v for k, v in result.items() if k != "queries"})


if __name__ == "__main__":
    main()
