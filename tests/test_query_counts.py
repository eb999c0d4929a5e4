"""Pages cost the same number of queries for a learner with no history and with 10,000 reviews."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from flashcards import queue, tags
from flashcards.models import Note, Review, StudySettings

from .conftest import make_bulk_history, make_own_card, make_user

PAGES = {
    # Every signed-in page starts with: the session, and the user with their settings.
    # + today's counts (one query), the bank with card states, the 30-day trend window
    "dashboard": (lambda bank: reverse("dashboard"), 5),
    # + today's counts, the next card
    "study": (lambda bank: reverse("study"), 4),
    # + activity per day, forecast, answers per button, retention per week, calibration,
    # overconfident questions
    "statistics": (lambda bank: reverse("statistics"), 8),
    # + questions with card states and last answers, the learner's tag names
    "browse": (lambda bank: reverse("browse"), 4),
    # + the matching ids and scores (full-text search), then those questions with card states,
    # last answers and the learner's notes, the learner's tag names
    "search": (lambda bank: reverse("browse") + "?q=attention+transformer&state=review", 5),
    # + question, card, the learner's note, one page of history, the card's tags
    "card": (lambda bank: reverse("card", args=[bank[0].pk]), 7),
    # + the question with the learner's card, their note, the card's tags, today's counts
    # (the full page)
    "reveal": (lambda bank: reverse("reveal", args=[bank[0].pk]), 6),
    # + the learner's own cards with their placement
    "my questions": (lambda bank: reverse("own_cards"), 3),
    # + the tag, questions with card states and last answers, the learner's tag names
    "browse a tag": (lambda bank: reverse("browse") + "?tag=rag", 5),
    # + the tag, today's counts in its scope, the next card in it
    "study a tag": (lambda bank: reverse("study") + "?scope=tag:rag", 5),
    # + the reminder preference, the confirmed address
    "reminder settings": (lambda bank: reverse("reminder_settings"), 4),
}


@pytest.fixture(autouse=True)
def frozen_clock(now):
    """Every request runs at `now`, so the paths measured are the ones named below, whatever the
    date the suite runs on."""
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def learners(bank, now):
    """A learner with no history (the study page shows a new card), and one with 100 reviews on
    every card (the bank's and 30 of their own, all tagged), each now a review card due since
    yesterday (it shows the most overdue)."""
    light, heavy = make_user("light"), make_user("heavy")
    tags.tag_add(user=light, question=bank[0], name="rag")
    # Half their own cards in My questions, half placed under the bank's subsections.
    mine = [
        make_own_card(heavy, subsection=bank[i].subsection if i % 2 else None) for i in range(30)
    ]
    for i, question in enumerate(bank + mine):
        for name in ("rag", f"topic-{i % 5}", f"card-{i}"):
            tags.tag_add(user=heavy, question=question, name=name)
    # The bulk history leaves each card due `reviews_per_card + 30` days after its start.
    make_bulk_history(heavy, bank + mine, 100, now - timedelta(days=131))
    assert Review.objects.filter(user=heavy).count() == 100 * (len(bank) + len(mine))
    settings = StudySettings.objects.get(user=heavy)
    counts = queue.today(heavy, settings, now)
    assert (counts.due, counts.new) == (len(bank) + len(mine), 0)
    counts = queue.today(light, StudySettings.objects.get(user=light), now)
    assert (counts.due, counts.new) == (0, 10)
    return light, heavy


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_history(
    client, bank, learners, page, django_assert_num_queries
):
    url, expected = PAGES[page]
    for user in learners:
        client.force_login(user)
        with django_assert_num_queries(expected):
            assert client.get(url(bank)).status_code == 200


def test_answer_queries_do_not_grow_with_history(client, bank, learners, django_assert_num_queries):
    question = bank[0]
    for user in learners:
        client.force_login(user)
        reps = 100 if user.username == "heavy" else 0
        # session, user with settings, [savepoint], the card created-or-locked with the
        # question's version (one statement), the review inserted and the card updated (one
        # statement), [release], today's counts, the next card. The savepoint pair exists only
        # because each test runs inside a transaction: 6 queries in production.
        with django_assert_num_queries(8):
            response = client.post(
                reverse("answer", args=[question.pk]),
                {"rating": 3, "reps": reps},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200


def test_the_floor_costs_a_session_and_a_user(client, db, django_assert_num_queries):
    client.force_login(make_user("floor"))
    with django_assert_num_queries(2):  # session, user
        response = client.get(reverse("whoami"))
    assert response.content.decode().strip() == "Signed in as floor."


def test_revealing_with_htmx_costs_five_queries(client, bank, learners, django_assert_num_queries):
    for user in learners:
        client.force_login(user)
        # session, user with settings, the question with the learner's card, their note, the
        # card's tags
        with django_assert_num_queries(5):
            response = client.get(
                reverse("reveal", args=[bank[0].pk]), headers={"HX-Request": "true"}
            )
        assert response.status_code == 200 and b"answer-button" in response.content


@pytest.mark.parametrize("length", [5, 15])
def test_practice_pages_cost_the_same_whatever_the_interview_length(
    client, bank, now, length, django_assert_num_queries
):
    from flashcards import practice
    from flashcards.models import InterviewAnswer

    user = make_user("practising")
    client.force_login(user)
    interview = practice.interview_start(
        user=user, length=length, focus=practice.Focus("bank", "Whole bank"), now=now, seed=3
    )
    replay = practice.interview_replay(interview=interview, now=now)
    for source in (interview, replay):  # every question answered, typed and followed up
        for position in range(length):
            answer = InterviewAnswer.objects.get(interview=source, position=position)
            practice.answer_reveal(answer=answer, typed="attention and softmax", now=now)
            practice.answer_grade(answer=answer, covered=[0], would_pass=position % 2, now=now)
            answer.refresh_from_db()
            practice.follow_up_record(answer=answer, text="the follow-up", passed=True, now=now)
    # session, user with settings, the interview, its answers with questions and reviews, the
    # LLM coach's feedback on them (prefetched: one query however many)
    with django_assert_num_queries(5):
        assert client.get(reverse("practice_report", args=[replay.pk])).status_code == 200
    # session, user with settings, the answer with its question and interview
    with django_assert_num_queries(3):
        result = reverse("practice_follow_up_result", args=[replay.pk, length - 1])
        assert client.get(result).status_code == 200


def _notes_on(user, questions, now) -> None:
    Note.objects.bulk_create(
        Note(user=user, question=q, text=f"My attention example {q.pk}", updated_at=now)
        for q in questions
    )


def test_search_costs_the_same_with_one_note_or_a_note_on_every_card(
    client, bank, now, django_assert_num_queries
):
    few, many = make_user("few"), make_user("many")
    _notes_on(few, bank[:1], now)
    _notes_on(many, bank, now)
    for user in (few, many):
        client.force_login(user)
        # session, user, the search's ids and scores, the questions with cards and notes
        with django_assert_num_queries(4):
            page = client.get(reverse("browse"), {"q": "attention"}, headers={"HX-Request": "true"})
        assert page.status_code == 200 and b"<mark>" in page.content


def test_a_study_round_trip_costs_the_same_whatever_the_notes(
    client, bank, now, django_assert_num_queries
):
    """Reveal, save a note in place, answer: the same queries with no notes and a note on every
    card, in a search-scoped session."""
    bare, noted = make_user("bare"), make_user("noted")
    _notes_on(noted, bank, now)
    htmx = {"HX-Request": "true"}
    scope = "search:attention"
    for user in (bare, noted):
        client.force_login(user)
        question = next(q for q in bank if "attention" in q.prompt.lower())
        # session, user, the search's ids and scores, their ranks and prompts, the question with
        # the card, the note, the card's tags
        with django_assert_num_queries(7):
            url = reverse("reveal", args=[question.pk])
            assert client.get(url, {"scope": scope}, headers=htmx).status_code == 200
        # session, user, the question, [savepoint], the note upserted, [release]
        with django_assert_num_queries(6):
            url = reverse("card_note", args=[question.pk])
            assert client.post(url, {"text": "Saved"}, headers=htmx).status_code == 200
        # session, user, the search (two), [savepoint], the answer (two), [release], today's
        # counts, the next card
        with django_assert_num_queries(10):
            response = client.post(
                reverse("answer", args=[question.pk]),
                {"rating": 3, "reps": 0, "scope": scope},
                headers=htmx,
            )
        assert response.status_code == 200
