"""Practice interviews: the weighted draw, grading into real reviews, follow-ups and reports."""

import math
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse

from flashcards import coach, practice, readiness
from flashcards.models import Card, Interview, InterviewAnswer, Review

from .conftest import answer, make_user


def test_the_draw_never_repeats_and_is_reproducible_from_its_seed():
    weights = {q: 1.0 + q % 7 for q in range(1, 101)}
    for seed in range(200):
        drawn = practice.draw(weights, 15, seed)
        assert len(drawn) == len(set(drawn)) == 15
        assert drawn == practice.draw(weights, 15, seed)
    assert practice.draw(weights, 15, 1) != practice.draw(weights, 15, 2)


def test_first_picks_follow_the_weights():
    weights = {1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0}
    runs = 20_000
    firsts = Counter(practice.draw(weights, 1, seed)[0] for seed in range(runs))
    for question, weight in weights.items():
        expected = weight / sum(weights.values())
        # Binomial standard error is under 0.004 here; allow 4 of them.
        assert abs(firsts[question] / runs - expected) < 0.016, (question, firsts[question])


def test_second_picks_follow_the_weights_among_those_left():
    weights = {1: 1.0, 2: 1.0, 3: 2.0}
    runs = 20_000
    pairs = Counter(tuple(practice.draw(weights, 2, seed)) for seed in range(runs))
    # P(3 then 1) = 2/4 × 1/2 = 0.25; P(1 then 3) = 1/4 × 2/3 ≈ 0.1667.
    assert abs(pairs[(3, 1)] / runs - 0.25) < 0.015
    assert abs(pairs[(1, 3)] / runs - 1 / 6) < 0.015


def test_weights_favour_likely_and_weak_questions(bank, now):
    user = make_user()
    strong, weak, new = bank[0], bank[1], bank[2]
    Card.objects.create(user=user, question=strong, state=2, stability=365.0, difficulty=5.0,
                        due=now + timedelta(days=300), last_review=now)  # fmt: skip
    answer(user, weak, 1, now - timedelta(days=3))
    rows = {r.question_id: r for r in readiness.bank_rows(user, now)}
    weights = practice.draw_weights(list(rows.values()), now, forgot={weak.pk})
    # Recalled almost surely: weakness about 1. Never studied: 3. A recent failure adds 1.
    assert weights[strong.pk] == pytest.approx(1 / math.sqrt(strong.rank), rel=0.01)
    assert weights[new.pk] == pytest.approx(3 / math.sqrt(new.rank))
    unforgotten = practice.draw_weights(list(rows.values()), now, forgot=set())
    assert weights[weak.pk] - unforgotten[weak.pk] == pytest.approx(1 / math.sqrt(weak.rank))
    assert weights[weak.pk] / (1 / math.sqrt(weak.rank)) > 2  # low recall and a failure


@pytest.mark.parametrize(("covered", "total", "passed", "expected"), [
    (3, 4, True, (4, True)), (2, 4, True, (3, True)), (1, 4, True, (2, True)),
    (4, 4, False, (1, False)), (0, 0, True, (4, True)),
])  # fmt: skip
def test_the_checklist_becomes_a_study_answer(covered, total, passed, expected):
    assert practice.grade_from_checklist(covered, total, passed) == expected


def _start(client, length=5, focus="bank"):
    response = client.post(reverse("practice_start"), {"length": length, "focus": focus})
    assert response.status_code == 302
    return Interview.objects.latest("pk")


def _do_question(client, interview, position, covered=(0, 1), verdict="pass"):
    client.get(reverse("practice_step", args=[interview.pk]))
    client.post(reverse("practice_reveal", args=[interview.pk, position]),
                {"typed_answer": f"My answer {position}"})  # fmt: skip
    client.post(reverse("practice_grade", args=[interview.pk, position]),
                {"covered": list(covered), "verdict": verdict})  # fmt: skip
    client.post(reverse("practice_follow_up", args=[interview.pk, position]),
                {"answer": "Follow-up words", "verdict": "pass"})  # fmt: skip


def test_a_whole_interview_records_real_reviews_and_a_report(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    for position in range(5):
        _do_question(client, interview, position, verdict="fail" if position == 0 else "pass")
    response = client.get(reverse("practice_step", args=[interview.pk]))
    assert response["Location"] == reverse("practice_report", args=[interview.pk])
    reviews = Review.objects.filter(user=user).order_by("reviewed_at")
    assert reviews.count() == 5
    assert {r.source for r in reviews} == {"practice"}
    first = InterviewAnswer.objects.get(interview=interview, position=0)
    assert first.review.rating == 1 and first.typed_answer == "My answer 0"
    report = client.get(reverse("practice_report", args=[interview.pk])).content.decode()
    assert "Revisit these" in report and first.question.prompt in report
    assert "My answer 3" in report and "Follow-up words" in report
    interview.refresh_from_db()
    assert interview.finished_at is not None and interview.readiness_after > 0
    stats = client.get(reverse("statistics")).content.decode()
    assert "<dt>Answers</dt><dd>5</dd>" in stats  # the statistics count practice reviews


def test_practice_reviews_are_study_reviews_but_for_their_source(client_for, bank, now):
    studier, practiser = make_user("studier"), make_user("practiser")
    client = client_for(practiser)
    interview = _start(client)
    question_id = interview.question_ids[0]
    _do_question(client, interview, 0, covered=(0, 1, 2), verdict="pass")
    practised = Review.objects.get(user=practiser)
    card = Card.objects.get(user=practiser, question_id=question_id)
    answer(studier, card.question, practised.rating, practised.reviewed_at)
    studied = Review.objects.get(user=studier)
    fields = ["known", "confidence", "rating", "state_before", "state_after", "stability_after",
              "difficulty_after"]  # fmt: skip
    assert [getattr(studied, f) for f in fields] == [getattr(practised, f) for f in fields]
    assert (studied.source, practised.source) == ("study", "practice")


def test_abandoning_keeps_what_was_answered_and_resuming_continues(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    _do_question(client, interview, 0)
    _do_question(client, interview, 1)
    client.get(reverse("dashboard"))  # walks away
    page = client.get(reverse("practice_step", args=[interview.pk])).content.decode()
    third = interview.question_ids[2]
    from django.utils.html import escape

    from flashcards.models import Question

    # The draw is random: a prompt with quotes is in the page HTML-escaped.
    assert escape(Question.objects.get(pk=third).prompt) in page and "Question 3 of 5" in page
    assert Review.objects.filter(user=user).count() == 2


def test_a_replay_asks_the_same_questions_in_the_same_order(client_for, user, bank):
    client = client_for(user)
    interview = _start(client, length=10)
    response = client.post(reverse("practice_replay", args=[interview.pk]))
    replay = Interview.objects.latest("pk")
    assert response["Location"] == reverse("practice_step", args=[replay.pk])
    assert replay.question_ids == interview.question_ids and replay.replay_of == interview
    assert replay.seed == interview.seed


def test_focus_on_a_section_draws_only_from_it(client_for, user, bank):
    client = client_for(user)
    section = bank[0].subsection.section
    interview = _start(client, length=5, focus=f"section:{section.key}")
    from flashcards.models import Question

    drawn = Question.objects.filter(pk__in=interview.question_ids)
    assert {q.subsection.section_id for q in drawn} == {section.pk}


def test_bad_input_gets_a_clear_error_and_changes_nothing(client_for, bank):
    owner, other = make_user("owner"), make_user("other")
    client = client_for(owner)
    interview = _start(client)
    client.get(reverse("practice_step", args=[interview.pk]))
    client.post(reverse("practice_reveal", args=[interview.pk, 0]), {"typed_answer": ""})
    grade = reverse("practice_grade", args=[interview.pk, 0])
    bad = client.post(grade, {"covered": [0, 99], "verdict": "pass"})
    assert bad.status_code == 400 and "points this question does not have" in bad.content.decode()
    assert client.post(grade, {"covered": [0], "verdict": "maybe"}).status_code == 400
    assert Review.objects.count() == 0
    assert client.post(grade, {"covered": [0], "verdict": "pass"}).status_code == 302
    replayed = client.post(grade, {"covered": [0, 1], "verdict": "fail"})
    assert replayed.status_code == 409 and "already graded" in replayed.content.decode()
    assert Review.objects.count() == 1
    assert client.post(reverse("practice_start"), {"length": 7, "focus": "bank"}).status_code == 400
    client = client_for(other)
    for url in (reverse("practice_step", args=[interview.pk]),
                reverse("practice_report", args=[interview.pk])):  # fmt: skip
        assert client.get(url).status_code == 404
    assert client.post(grade, {"covered": [0], "verdict": "pass"}).status_code == 404
    assert client.post(reverse("practice_replay", args=[interview.pk])).status_code == 404
    assert Review.objects.count() == 1


def test_grading_before_revealing_is_refused(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    client.get(reverse("practice_step", args=[interview.pk]))
    response = client.post(reverse("practice_grade", args=[interview.pk, 0]),
                           {"covered": [0], "verdict": "pass"})  # fmt: skip
    assert response.status_code == 409 and "Reveal the model answer" in response.content.decode()


def test_past_interviews_are_listed_with_their_scores(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    for position in range(5):
        _do_question(client, interview, position, covered=(0, 1))
    client.get(reverse("practice_step", args=[interview.pk]))
    html = client.get(reverse("practice")).content.decode()
    answers = InterviewAnswer.objects.filter(interview=interview)
    expected = round(100 * 10 / sum(a.points_total for a in answers))
    assert f"{expected}%" in html and reverse("practice_report", args=[interview.pk]) in html


def test_grading_a_question_retired_mid_interview_skips_it(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    client.get(reverse("practice_step", args=[interview.pk]))
    client.post(reverse("practice_reveal", args=[interview.pk, 0]), {"typed_answer": "x"})
    question = InterviewAnswer.objects.get(interview=interview, position=0).question
    question.is_active = False
    question.save()
    response = client.post(reverse("practice_grade", args=[interview.pk, 0]),
                           {"covered": [0], "verdict": "pass"})  # fmt: skip
    assert response.status_code == 302  # #18: skipped with a note, not refused for ever
    assert Review.objects.count() == 0 and Card.objects.count() == 0
    assert InterviewAnswer.objects.get(interview=interview, position=0).graded_at is None


def test_showing_a_step_writes_nothing_the_posts_move_the_interview_on(client_for, user, bank):
    # Regression: the step's GET created the next answer row and finished the interview.
    client = client_for(user)
    interview = _start(client)
    step = reverse("practice_step", args=[interview.pk])

    def stored():
        return (list(InterviewAnswer.objects.filter(interview=interview).values()),
                list(Interview.objects.filter(pk=interview.pk).values()))  # fmt: skip

    assert [a["position"] for a in stored()[0]] == [0]  # starting put the first question up
    before = stored()
    for _ in range(2):
        assert client.get(step).status_code == 200
    assert stored() == before
    for position in range(5):
        _do_question(client, interview, position)
        answers, (row,) = stored()
        assert len(answers) == min(position + 2, 5)  # the follow-up put the next one up
        assert (row["finished_at"] is not None) == (position == 4)
    done = stored()
    response = client.get(step)
    assert response.status_code == 302
    assert response["Location"] == reverse("practice_report", args=[interview.pk])
    assert stored() == done


def test_the_coach_reads_a_typed_answer_and_pre_selects_a_grade_the_learner_can_override(
    client_for, user, bank
):
    client = client_for(user)
    interview = _start(client)
    client.get(reverse("practice_step", args=[interview.pk]))
    slot = InterviewAnswer.objects.get(interview=interview, position=0)
    question = slot.question

    # An answer that says the first key point in the words of one of its cues (one the
    # question's prompt does not contain: those do not count), plus markup.
    def typed_with(cue):
        return f"<b>I think</b> it is about the {cue} and how it works."

    cue = next(
        c for c in question.key_point_cues[0]
        if 0 in coach.coach_question(question, typed_with(c)).covered
    )  # fmt: skip
    typed = typed_with(cue)
    client.post(reverse("practice_reveal", args=[interview.pk, 0]), {"typed_answer": typed})
    slot.refresh_from_db()
    assert slot.coach_covered and 0 in slot.coach_covered
    page = client.get(reverse("practice_step", args=[interview.pk])).content.decode()
    assert "read by the built-in coach" in page
    assert "&lt;b&gt;I think&lt;/b&gt;" in page and "<b>I think</b>" not in page
    assert f"<mark>{cue}</mark>" in page
    assert 'name="covered" value="0" checked' in page
    assert "Missed:" in page and "Suggested rating:" in page
    # The learner overrides: nothing covered, would not pass. Their choice is the rating.
    client.post(reverse("practice_grade", args=[interview.pk, 0]), {"verdict": "fail"})
    slot.refresh_from_db()
    assert slot.points_covered == [] and slot.review.rating == 1
    assert slot.review.suggested_rating == slot.coach_rating > 1
    client.post(reverse("practice_follow_up", args=[interview.pk, 0]), {"verdict": "pass"})
    report = client.get(reverse("practice_report", args=[interview.pk])).content.decode()
    assert "The coach found these key points missing" in report
    missed = [p for i, p in enumerate(question.key_points) if i not in slot.coach_covered]
    assert missed and slot.coach_missed == missed


def test_an_off_topic_answer_is_told_it_does_not_address_the_question(client_for, user, bank):
    client = client_for(user)
    interview = _start(client)
    client.get(reverse("practice_step", args=[interview.pk]))
    typed = "My favourite recipe needs flour, sugar and two eggs baked for an hour."
    client.post(reverse("practice_reveal", args=[interview.pk, 0]), {"typed_answer": typed})
    page = client.get(reverse("practice_step", args=[interview.pk])).content.decode()
    assert "does not address the question" in page
    assert "checked" not in page.split('name="verdict"')[0]
    assert re.search(r'value="fail"[^>]*checked', page)
