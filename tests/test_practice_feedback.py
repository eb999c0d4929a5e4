"""Practice feedback kept and shown: follow-up model answers with the coach's reading, the
revisit list by key points missed, what was said last time in a replay, and the exports."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from flashcards import coach, practice
from flashcards.models import Interview, InterviewAnswer, Question, Report

from .conftest import make_user


def _interview(user, questions) -> Interview:
    """An interview over exactly these questions, the first one put to the learner."""
    interview = Interview.objects.create(
        user=user, seed=1, question_ids=[q.pk for q in questions], readiness_before=0.0,
        started_at=timezone.now(),
    )  # fmt: skip
    practice.advance(interview, timezone.now())
    return interview


def _answer(client, interview, position, typed, covered, verdict="pass", follow_up=""):
    client.post(reverse("practice_reveal", args=[interview.pk, position]), {"typed_answer": typed})
    client.post(reverse("practice_grade", args=[interview.pk, position]),
                {"covered": covered, "verdict": verdict})  # fmt: skip
    return client.post(reverse("practice_follow_up", args=[interview.pk, position]),
                       {"answer": follow_up, "verdict": "pass"})  # fmt: skip


@pytest.fixture
def with_follow_up(bank) -> Question:
    return next(q for q in bank if q.follow_up_answer and len(q.follow_up_key_points) >= 2)


def test_the_follow_up_model_answer_comes_with_the_coachs_reading(client_for, user, with_follow_up):
    question = with_follow_up
    cue = question.follow_up_key_point_cues[0][0]
    said = f"I would say it comes down to {cue} in most systems."
    expected = coach.coach_question(question, said, follow_up=True)
    assert 0 in expected.covered and len(expected.covered) < len(question.follow_up_key_points)
    client = client_for(user)
    interview = _interview(user, [question])
    response = _answer(client, interview, 0, "typed", [0], follow_up=said)
    result = reverse("practice_follow_up_result", args=[interview.pk, 0])
    assert response["Location"] == result
    stored = InterviewAnswer.objects.get(interview=interview, position=0)
    assert stored.follow_up_coach_covered == expected.covered
    assert stored.follow_up_coach_rating == expected.rating
    html = client.get(result).content.decode()
    assert 'data-testid="follow-up-model-answer"' in html
    assert html.count('class="coach-covered"') == len(expected.covered)
    assert html.count('class="coach-missed"') == len(question.follow_up_key_points) - len(
        expected.covered
    )
    assert "<mark>" in html  # the words that covered a point are highlighted
    assert "See the report" in html  # the one question was the last
    report = client.get(reverse("practice_report", args=[interview.pk])).content.decode()
    assert "follow-up points missing" in report


def test_the_follow_up_result_waits_for_the_attempt_and_is_the_learners_own(
    client_for, user, with_follow_up
):
    client = client_for(user)
    interview = _interview(user, [with_follow_up])
    result = reverse("practice_follow_up_result", args=[interview.pk, 0])
    early = client.get(result)
    assert early.status_code == 302 and early["Location"].endswith(f"/practice/{interview.pk}/")
    _answer(client, interview, 0, "typed", [0], follow_up="words")
    other = client_for(make_user())
    assert other.get(result).status_code == 404


def test_the_revisit_list_puts_the_most_key_points_missed_first(client_for, user, bank):
    questions = [q for q in bank if len(q.key_points) >= 4][:4]
    client = client_for(user)
    interview = _interview(user, questions)
    # Missed: 1 (and would not pass), all but one, all, none (not revisited).
    ticks = [list(range(len(questions[0].key_points) - 1)), [0], [], None]
    for position, covered in enumerate(ticks):
        verdict = "fail" if position == 0 else "pass"
        _answer(client, interview, position, "", covered if covered is not None
                else list(range(len(questions[3].key_points))), verdict)  # fmt: skip
    answers = list(interview.answers.select_related("question"))
    order = [a.position for a in practice.to_revisit(answers)]
    assert order == [2, 1, 0]
    html = client.get(reverse("practice_report", args=[interview.pk])).content.decode()
    listed = html[html.index('data-testid="revisit"') :].split("</ol>")[0]
    positions = [listed.index(questions[p].prompt.split('"')[0]) for p in (2, 1, 0)]
    assert positions == sorted(positions)
    assert questions[3].prompt.split('"')[0] not in listed
    left_out = html[html.index('data-testid="missed-2"') :].split("</ul>")[0]
    assert left_out.count("<li>") == len(questions[2].key_points)


def test_a_replay_shows_what_was_said_last_time(client_for, user, bank):
    client = client_for(user)
    interview = _interview(user, bank[:2])
    _answer(client, interview, 0, "Attention weighs every token by relevance.", [0])
    replay = practice.interview_replay(interview=interview, now=timezone.now())
    step = reverse("practice_step", args=[replay.pk])
    assert 'data-testid="last-time"' not in client.get(step).content.decode()  # not before
    client.post(reverse("practice_reveal", args=[replay.pk, 0]), {"typed_answer": "Now better."})
    html = client.get(step).content.decode()
    last = html[html.index('data-testid="last-time"') :].split("</div>")[0]
    assert "Attention weighs every token by relevance." in last and "You ticked 1 of" in last


def test_the_exports_hold_practice_answers_feedback_and_reports_of_the_learner_only(
    client_for, bank, with_follow_up
):
    ann, bob = make_user("ann"), make_user("bob")
    for learner, typed in ((ann, "Ann's distinctive answer"), (bob, "Bob's secret answer")):
        client = client_for(learner)
        interview = _interview(learner, [with_follow_up])
        _answer(client, interview, 0, typed, [0], follow_up=f"{typed} to the follow-up")
        Report.objects.create(user=learner, question=bank[0], version=1, kind="unclear",
                              comment=f"{typed} report")  # fmt: skip
    client = client_for(ann)
    data = json.loads(b"".join(client.get(reverse("export_json")).streaming_content))
    [row] = data["practice_answers"]
    stored = InterviewAnswer.objects.get(interview__user=ann)
    assert row["typed_answer"] == "Ann's distinctive answer"
    assert row["points_covered"] == [0] and row["coach_covered"] == stored.coach_covered
    assert row["follow_up_coach_covered"] == stored.follow_up_coach_covered is not None
    assert [r["comment"] for r in data["reports"]] == ["Ann's distinctive answer report"]
    raw = b"".join(client.get(reverse("export_csv")).streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(raw))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Bob's secret" not in everything and b"Bob's secret" not in json.dumps(data).encode()
    rows = list(
        csv.DictReader(io.StringIO(archive.read("practice_answers.csv").decode("utf-8-sig")))
    )
    assert rows[0]["points_covered"] == "0" and rows[0]["question_key"] == with_follow_up.key
