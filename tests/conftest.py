"""Shared fixtures and plain factories (make_*)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from flashcards import reviews
from flashcards.models import Card, Question, Section, StudySettings, Subsection
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True, scope="session")
def _require_postgresql(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("The test suite runs on PostgreSQL: run it with `make test`.", returncode=2)


def make_user(username: str | None = None, **settings) -> User:
    user = User.objects.create_user(username or f"learner{next(_counter)}", password=PASSWORD)
    StudySettings.objects.create(user=user, **settings)
    return user


def make_question(subsection: Subsection | None = None, **fields) -> Question:
    n = next(_counter)
    if subsection is None:
        section = Section.objects.create(key=f"section-{n}", title=f"Section {n}", position=n)
        subsection = Subsection.objects.create(
            section=section, key=f"subsection-{n}", title=f"Subsection {n}", position=1
        )
    defaults = {"key": f"question-{n}", "prompt": f"Question {n}?", "rank": n, "position": n}
    return Question.objects.create(subsection=subsection, **{**defaults, **fields})


def make_own_card(user, **fields) -> Question:
    """A learner's own card, written through the real service (normal priority, My questions)."""
    from flashcards import own_cards

    n = next(_counter)
    card = own_cards.OwnCard(
        prompt=fields.pop("prompt", f"My question {n}?"),
        answer=fields.pop("answer", f"My answer {n}."),
        key_points=fields.pop("key_points", []),
        follow_up=fields.pop("follow_up", ""),
        subsection=fields.pop("subsection", None),
        priority=fields.pop("priority", Question.Priority.NORMAL),
    )
    return own_cards.own_card_create(user=user, card=card)


def make_bank(count: int) -> list[Question]:
    """A one-subsection bank of `count` questions ranked 1..count in order."""
    first = make_question(rank=1)
    return [first] + [make_question(first.subsection, rank=i) for i in range(2, count + 1)]


def answer(user, question, rating: int, now: datetime):
    """Answer a card through the real service, with the version the learner would have seen."""
    card = Card.objects.filter(user=user, question=question).first()
    return reviews.card_answer(
        user=user,
        question_id=question.pk,
        rating=rating,
        expected_reps=card.reps if card else 0,
        now=now,
    )


def make_history(user, questions, reviews_per_card: int, start: datetime) -> None:
    """Give a learner a realistic history: each card answered `reviews_per_card` times."""
    for question in questions:
        moment = start
        for i in range(reviews_per_card):
            answer(user, question, rating=1 if i % 5 == 4 else 3, now=moment)
            moment = Card.objects.get(user=user, question=question).due + timedelta(minutes=1)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


@pytest.fixture
def bank(db) -> list[Question]:
    """The real question bank, seeded from the project's fixture."""
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    return list(Question.objects.in_bank_order())


@pytest.fixture
def user(db) -> User:
    return make_user("ann")


@pytest.fixture
def client_for(client):
    def login(user: User):
        client.force_login(user)
        return client

    return login


def make_bulk_history(user, questions, reviews_per_card: int, start: datetime) -> None:
    """Insert a long review history quickly (bulk rows, plausible values, not scheduler output)."""
    from flashcards.models import Review

    cards = Card.objects.bulk_create(
        Card(
            user=user,
            question=q,
            state=Card.State.REVIEW,
            stability=20.0,
            difficulty=5.0,
            due=start + timedelta(days=reviews_per_card + 30),
            last_review=start + timedelta(days=reviews_per_card - 1),
            reps=reviews_per_card,
            lapses=1,
        )
        for q in questions
    )
    Review.objects.bulk_create(
        Review(
            user=user,
            card=card,
            question_id=card.question_id,
            known=i % 5 != 4,
            confidence=None if i % 5 == 4 else 1 + i % 3,
            rating=1 if i % 5 == 4 else 2 + i % 3,
            reviewed_at=start + timedelta(days=i, minutes=card.question_id),
            duration_ms=8000,
            state_before=Card.State.NEW if i == 0 else Card.State.REVIEW,
            state_after=Card.State.REVIEW,
            stability_after=5.0 + i,
            difficulty_after=5.0,
            due_after=start + timedelta(days=i + 3),
        )
        for card in cards
        for i in range(reviews_per_card)
    )


@pytest.fixture
def mailbox(settings, db):
    """Mail goes out over SMTP to a real server started for the test."""
    from tests import mailbox as smtp

    box = smtp.Mailbox()
    controller = smtp.start(box)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield box
    controller.stop()


@pytest.fixture
def editor(db) -> User:
    """A staff member in the editor group (edits the bank, sees no accounts)."""
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


def admin_change_data(question: Question, **changes) -> dict:
    """The admin change form's POST data for `question` as stored, with `changes` applied (a
    change of None leaves the field out)."""
    from flashcards.admin import point_lines

    data = {
        "subsection": question.subsection_id,
        "key": question.key,
        "prompt": question.prompt,
        "answer": question.answer,
        "key_points": "\n".join(point_lines(question.key_points, question.key_point_cues)),
        "follow_up": question.follow_up,
        "follow_up_answer": question.follow_up_answer,
        "follow_up_key_points": "\n".join(
            point_lines(question.follow_up_key_points, question.follow_up_key_point_cues)
        ),
        "rank": question.rank,
        "position": question.position,
        "origin": question.origin,
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# Figures a test measured (search quality), printed at the end of the run at any verbosity.
MEASURED: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for line in MEASURED:
        terminalreporter.write_line(line)
