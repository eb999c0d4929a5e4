"""Practice interviews: start, each step, grading, follow-ups, the report and replays."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from flashcards import coach, practice
from flashcards.coach import coach_question
from flashcards.forms import FollowUpForm, GradeForm, RevealForm, StartInterviewForm
from flashcards.models import Interview, InterviewAnswer, LLMFeedback, Section

from .common import HtmxHttpRequest, _bad_request


def _bank_sections():
    return (
        Section.objects.filter(subsections__questions__is_active=True)
        .distinct()
        .order_by("position")
    )


def _interview_for(request, interview_id: int) -> Interview:
    return get_object_or_404(Interview, pk=interview_id, user=request.user)


def _practice_answer(request, interview_id: int, position: int) -> InterviewAnswer:
    return get_object_or_404(
        InterviewAnswer.objects.select_related("question", "interview"),
        interview__pk=interview_id, interview__user=request.user, position=position,
    )  # fmt: skip


@require_GET
@login_required
def practice_home(request: HtmxHttpRequest) -> HttpResponse:
    interviews = Interview.objects.filter(user=request.user).prefetch_related("answers")
    past = [(i, practice.score(list(i.answers.all()))) for i in interviews.order_by("-started_at")]
    form = StartInterviewForm(sections=_bank_sections())
    return render(request, "flashcards/practice_home.html", {"form": form, "past": past})


@require_POST
@login_required
def practice_start(request: HtmxHttpRequest) -> HttpResponse:
    form = StartInterviewForm(request.POST, sections=_bank_sections())
    if not form.is_valid():
        return _bad_request(request, "Choose a length of 5, 10 or 15 and a focus from the list.")
    focus_key = form.cleaned_data["focus"]
    label = dict(form.fields["focus"].choices)[focus_key]
    try:
        interview = practice.interview_start(
            user=request.user, length=form.cleaned_data["length"],
            focus=practice.Focus(focus_key, label), now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error))
    return redirect("practice_step", interview.pk)


@require_GET
@login_required
def practice_step(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    answer = practice.current_answer(interview)  # a GET only reads: the POSTs move it on
    if answer is None:
        return redirect("practice_report", interview.pk)
    feedback, initial = None, {}
    if answer.revealed_at and answer.typed_answer.strip():
        # The coach's suggestion pre-selects the grade; the learner can change any of it.
        feedback = coach_question(answer.question, answer.typed_answer)
        initial = {
            "covered": feedback.covered,
            "verdict": "pass" if feedback.rating > coach.AGAIN else "fail",
        }
    context = {
        "interview": interview,
        "answer": answer,
        "question": answer.question,
        "number": answer.position + 1,
        "total": len(interview.question_ids),
        "suggested_seconds": practice.SUGGESTED_SECONDS,
        "shown_ms": int(answer.shown_at.timestamp() * 1000),
        "grade_form": GradeForm(points=answer.question.key_points, initial=initial),
        "feedback": feedback,
        "follow_up_form": FollowUpForm(),
        "last_time": practice.last_attempt(answer) if answer.revealed_at else None,
        "llm": answer.llm_feedback.filter(part=LLMFeedback.Part.ANSWER).first()
        if answer.revealed_at and not answer.graded_at
        else None,
    }
    return render(request, "flashcards/practice_step.html", context)


@require_POST
@login_required
def practice_reveal(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "That answer is too long (10,000 characters at most) or "
                                     "contains characters that cannot be stored.")  # fmt: skip
    practice.answer_reveal(
        answer=answer, typed=form.cleaned_data["typed_answer"], now=timezone.now()
    )
    return redirect("practice_step", interview_id)


@require_POST
@login_required
def practice_grade(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    now = timezone.now()
    if practice.answer_skip(answer=answer, now=now):
        practice.advance(answer.interview, now)
        messages.info(request, "That question was retired from the bank: it was skipped.")
        return redirect("practice_step", interview_id)
    form = GradeForm(request.POST, points=answer.question.key_points)
    if not form.is_valid():
        return _bad_request(request, "That checklist has points this question does not have, "
                                     "or no verdict was given.")  # fmt: skip
    try:
        practice.answer_grade(
            answer=answer, covered=form.cleaned_data["covered"],
            would_pass=form.cleaned_data["verdict"] == "pass", now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error), status=409)
    return redirect("practice_step", interview_id)


@require_POST
@login_required
def practice_follow_up(request: HtmxHttpRequest, interview_id: int, position: int) -> HttpResponse:
    answer = _practice_answer(request, interview_id, position)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _bad_request(
            request, "Say how the follow-up went (and keep it under 10,000 characters)."
        )
    try:
        practice.follow_up_record(
            answer=answer, text=form.cleaned_data["answer"],
            passed=form.cleaned_data["verdict"] == "pass", now=timezone.now(),
        )  # fmt: skip
    except practice.PracticeRejected as error:
        return _bad_request(request, str(error), status=409)
    if answer.question.follow_up_answer:  # the model answer now that they have tried
        return redirect("practice_follow_up_result", interview_id, position)
    return redirect("practice_step", interview_id)


@require_GET
@login_required
def practice_follow_up_result(request: HtmxHttpRequest, interview_id: int, position: int
                              ) -> HttpResponse:  # fmt: skip
    """The follow-up's model answer beside what the learner said, once they have said it."""
    answer = _practice_answer(request, interview_id, position)
    if answer.follow_up_at is None:
        return redirect("practice_step", interview_id)
    feedback = None
    if answer.follow_up_answer.strip() and answer.question.follow_up_key_points:
        feedback = coach_question(answer.question, answer.follow_up_answer, follow_up=True)
    context = {
        "answer": answer,
        "question": answer.question,
        "feedback": feedback,
        "interview": answer.interview,
        "last": answer.interview.finished_at is not None,
    }
    return render(request, "flashcards/practice_follow_up.html", context)


@require_GET
@login_required
def practice_report(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    answers = list(
        interview.answers.select_related("question", "review").prefetch_related("llm_feedback")
    )
    change = None
    if interview.readiness_after is not None:
        change = round(100 * (interview.readiness_after - interview.readiness_before))
    return render(
        request,
        "flashcards/practice_report.html",
        {
            "interview": interview,
            "answers": answers,
            "score": practice.score(answers),
            "revisit": practice.to_revisit(answers),
            "change": change,
        },
    )


@require_POST
@login_required
def practice_replay(request: HtmxHttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for(request, interview_id)
    replay = practice.interview_replay(interview=interview, now=timezone.now())
    return redirect("practice_step", replay.pk)


@require_GET
@login_required
def practice_llm_feedback(
    request: HtmxHttpRequest, interview_id: int, position: int, part: str
) -> HttpResponse:
    """The LLM coach's feedback on one answer: polled by htmx until it is ready or unavailable."""
    llm = get_object_or_404(
        LLMFeedback.objects.select_related("answer__question"),
        answer__interview__pk=interview_id, answer__interview__user=request.user,
        answer__position=position, part=part,
    )  # fmt: skip
    return render(request, "flashcards/_llm_feedback.html", {"llm": llm})
