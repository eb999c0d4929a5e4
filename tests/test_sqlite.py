"""`make run` serves the app on SQLite: the study loop's hand-written SQL must work there too.

The suite itself runs on PostgreSQL, so this drives a whole study session in a separate process
against a fresh SQLite file, through the real views.
"""

from .sqlite import run_on_sqlite

SESSION = r"""
import re
from datetime import timedelta

import django
import time_machine

django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from flashcards.models import Card, Review, StudySettings

assert connection.vendor == "sqlite", connection.vendor
call_command("migrate", verbosity=0)
call_command("seed_questions", verbosity=0)
user = User.objects.create_user("sqlite-learner", password="x")
StudySettings.objects.create(user=user, new_per_day=3)
client = Client()
client.force_login(user)
HTMX = {"HX-Request": "true"}
REVEAL = re.compile(r'href="/study/(\d+)/reveal/')


def current_card(html):
    match = REVEAL.search(html)
    return int(match[1]) if match else None


def answer(card, rating, reps):
    response = client.post(f"/study/{card}/answer/", {"rating": rating, "reps": reps}, headers=HTMX)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


start = timezone.now()
with time_machine.travel(start, tick=False):
    page = client.get("/study/").content.decode()
    first = current_card(page)
    assert first is not None and 'data-testid="left-new"><strong>3</strong> new' in page, page
    revealed = client.get(f"/study/{first}/reveal/", headers=HTMX).content.decode()
    assert 'data-testid="interval-3"' in revealed
    # Three new cards, none known: each comes back in a minute as a learning card.
    html, seen = page, []
    for _ in range(3):
        card = current_card(html)
        seen.append(card)
        html = answer(card, 1, 0)
    assert seen[0] == first and len(set(seen)) == 3
    assert Review.objects.filter(user=user).count() == 3

with time_machine.travel(start + timedelta(minutes=2), tick=False):
    page = client.get("/study/").content.decode()
    due = current_card(page)
    assert due in seen, (due, seen)  # a learning card, read back from SQLite's timestamps
    revealed = client.get(f"/study/{due}/reveal/", headers=HTMX)
    assert revealed.status_code == 200
    answer(due, 3, 1)
    card = Card.objects.get(user=user, question_id=due)
    assert card.reps == 2 and card.due > timezone.now()
    undone = client.post(
        "/study/undo/", {"shown_at": int(timezone.now().timestamp() * 1000)}, headers=HTMX
    )
    assert undone.status_code == 200
    assert Card.objects.get(user=user, question_id=due).reps == 1
    assert Review.objects.filter(user=user).count() == 3
    assert client.post("/study/999999/answer/", {"rating": 3, "reps": 0}).status_code == 404

# Statistics group reviews by study day in SQL: the same day as the queue's, across a DST change.
from datetime import UTC, datetime

from flashcards import queue

StudySettings.objects.filter(user=user).update(time_zone="Europe/Berlin")
settings = StudySettings.objects.get(user=user)
assert client.get("/stats/").status_code == 200
review = Review.objects.filter(user=user).first()
for i in range(36):  # 01:00 to 07:00 UTC on the day Berlin moves to summer time
    at = datetime(2026, 3, 29, 1, 0, tzinfo=UTC) + timedelta(minutes=10 * i)
    Review.objects.filter(pk=review.pk).update(reviewed_at=at)
    day = Review.objects.filter(pk=review.pk).values_list(
        queue.StudyDate("reviewed_at", settings), flat=True
    ).get()
    assert day == queue.study_day(at, settings).date, (at, day)

# Search: SQLite's FTS5 index, every word stemmed and required, best match first.
found = client.get("/browse/", {"q": "rlhf"}).content.decode()
first = found.split('class="question-row"')[1]
assert "How does <mark>RLHF</mark> work" in first, first
print("sqlite study session ok")
"""


def test_a_study_session_on_sqlite(tmp_path):
    result = run_on_sqlite(SESSION, tmp_path / "db.sqlite3")
    assert "sqlite study session ok" in result.stdout
