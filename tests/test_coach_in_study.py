"""Study with "type my answer before revealing": the built-in coach on the card's back, its
suggestion pre-selected, the learner's choice recorded beside it."""

import re

from django.urls import reverse

from flashcards import coach
from flashcards.models import Review, StudySettings

from .conftest import make_user


def _learner(client, **settings):
    user = make_user(**settings)
    client.force_login(user)
    return user


def _covering_answer(question) -> str:
    """An answer that says the first cue of the question's first two key points in sentences."""
    cues = [cues[0] for cues in question.key_point_cues[:2]]
    return " ".join(f"The answer depends on {cue} in practice." for cue in cues)


def _reveal(client, question, typed: str, **extra):
    return client.post(
        reverse("reveal", args=[question.pk]),
        {"typed_answer": typed, "shown_at": "1", **extra},
        headers={"HX-Request": "true"},
    )


def test_the_answer_box_shows_only_with_the_setting_on(client, bank):
    _learner(client)
    assert b'name="typed_answer"' not in client.get(reverse("study")).content
    StudySettings.objects.update(type_before_reveal=True)
    page = client.get(reverse("study")).content.decode()
    assert 'name="typed_answer"' in page and "Type your answer" in page


def test_the_setting_is_saved_from_the_settings_page(client, bank):
    user = _learner(client)
    form = {"new_per_day": 10, "desired_retention": 0.9, "time_zone": "UTC", "day_starts_at": 4,
            "type_before_reveal": "on"}  # fmt: skip
    response = client.post(reverse("settings"), form)
    assert response.status_code == 302
    assert StudySettings.objects.get(user=user).type_before_reveal is True


def test_the_back_shows_the_coachs_reading_and_preselects_its_rating(client, bank):
    _learner(client, type_before_reveal=True)
    question = bank[0]
    typed = _covering_answer(question)
    expected = coach.coach_question(question, typed)
    assert 0 < len(expected.covered) < len(question.key_points), "a partial answer"
    html = _reveal(client, question, typed).content.decode()
    assert "read by the built-in coach" in html
    assert html.count('class="coach-covered"') == len(expected.covered)
    assert html.count('class="coach-missed"') == len(question.key_points) - len(expected.covered)
    suggested = re.findall(r'class="answer-button answer-(\d) answer-suggested"', html)
    assert suggested == [str(expected.rating)]
    assert f'name="suggested_rating" value="{expected.rating}"' in html


def test_the_learners_choice_is_recorded_beside_the_suggestion(client, bank):
    user = _learner(client, type_before_reveal=True)
    question = bank[0]
    suggestion = coach.coach_question(question, _covering_answer(question)).rating
    chosen = 1 if suggestion != 1 else 4
    response = client.post(
        reverse("answer", args=[question.pk]),
        {"rating": chosen, "reps": 0, "suggested_rating": suggestion},
    )
    assert response.status_code == 302
    review = Review.objects.get(user=user, question=question)
    assert (review.rating, review.suggested_rating) == (chosen, suggestion)


def test_without_a_typed_answer_there_is_no_suggestion(client, bank):
    user = _learner(client, type_before_reveal=True)
    html = _reveal(client, bank[0], "   ").content.decode()
    assert "built-in coach" not in html and "answer-suggested" not in html
    client.post(reverse("answer", args=[bank[0].pk]), {"rating": 3, "reps": 0})
    assert Review.objects.get(user=user).suggested_rating is None


def test_the_typed_answer_is_escaped(client, bank):
    _learner(client, type_before_reveal=True)
    html = _reveal(client, bank[0], '<script>alert("x")</script> ' + _covering_answer(bank[0]))
    assert b"<script>alert" not in html.content and b"&lt;script&gt;" in html.content


def test_bad_typed_answers_get_a_400_and_change_nothing(client, bank):
    user = _learner(client, type_before_reveal=True)
    for typed in ("x" * 10_001, "nul\x00byte"):
        response = _reveal(client, bank[0], typed)
        assert response.status_code == 400 and b"10,000 characters" in response.content
    response = client.post(
        reverse("answer", args=[bank[0].pk]), {"rating": 3, "reps": 0, "suggested_rating": 7}
    )
    assert response.status_code == 400
    assert not Review.objects.filter(user=user).exists()


def test_revealing_a_typed_answer_costs_the_same_queries(client, bank, django_assert_num_queries):
    _learner(client, type_before_reveal=True)
    # session, user with settings, the question with the learner's card, their note, the card's
    # tags
    with django_assert_num_queries(5):
        response = _reveal(client, bank[0], _covering_answer(bank[0]))
    assert response.status_code == 200 and b"coach-covered" in response.content
