"""Undo, suspend, mark known, reset, leeches and scoped sessions, through the real views."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flashcards.models import Card, Question, QuestionRevision, Review

from .conftest import answer, make_bank, make_user


def _undo() -> dict:
    """An undo sent from a page shown just now."""
    return {"shown_at": int(timezone.now().timestamp() * 1000)}


def _card_values(user, question):
    return Card.objects.filter(user=user, question=question).values().first()


def test_undo_restores_the_card_exactly_and_removes_the_review(client_for, user, bank):
    client = client_for(user)
    question = bank[0]
    client.post(reverse("answer", args=[question.pk]), {"rating": 1, "reps": 0})
    after_first = _card_values(user, question)
    client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": 1})
    assert Review.objects.count() == 2

    response = client.post(reverse("undo"), _undo(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert _card_values(user, question) == after_first
    assert Review.objects.count() == 1
    html = response.content.decode()
    assert question.prompt in html and "Answer undone." in html
    assert f"/study/{question.pk}/reveal/" in html  # the undone card is shown again, question side

    client.post(reverse("undo"), _undo())
    card = Card.objects.get(user=user, question=question)
    assert (card.state, card.reps, card.stability, card.due) == (Card.State.NEW, 0, None, None)
    assert Review.objects.count() == 0
    assert client.post(reverse("undo"), _undo()).status_code == 409


def test_undo_brings_back_the_note_of_what_changed(client_for, user, bank, now):
    # Regression: answering marks the new version as seen; undo did not restore the old one, so
    # the "Updated" badge and what changed disappeared for good.
    question = bank[0]
    answer(user, question, 3, now - timedelta(days=30))
    QuestionRevision.objects.create(question=question, version=1, answer=question.answer)
    Question.objects.filter(pk=question.pk).update(version=2, answer="A rewritten answer.")
    client = client_for(user)
    card = Card.objects.get(user=user, question=question)
    client.post(reverse("answer", args=[question.pk]), {"rating": 3, "reps": card.reps})
    assert Card.objects.get(pk=card.pk).seen_version == 2

    response = client.post(reverse("undo"), _undo(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Card.objects.get(pk=card.pk).seen_version == 1
    html = response.content.decode()
    assert "Answer undone." in html and 'data-testid="updated-badge"' in html
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert 'data-testid="update-note"' in html and "A rewritten answer." in html


def test_undo_is_limited_to_today_and_to_the_learner(client_for, bank):
    ann, bob = make_user("ann"), make_user("bob")
    answer(ann, bank[0], 3, timezone.now() - timedelta(days=2))
    answer(ann, bank[1], 3, timezone.now())
    assert client_for(bob).post(reverse("undo"), _undo()).status_code == 409
    client = client_for(ann)
    assert client.post(reverse("undo"), _undo()).status_code == 200
    assert client.post(reverse("undo"), _undo()).status_code == 409
    assert Review.objects.filter(user=ann).count() == 1


def test_an_undone_answer_can_be_given_again(client_for, user, bank):
    client = client_for(user)
    url = reverse("answer", args=[bank[0].pk])
    client.post(url, {"rating": 1, "reps": 0})
    client.post(reverse("undo"), _undo())
    assert client.post(url, {"rating": 4, "reps": 0}).status_code == 302
    assert Review.objects.get().rating == 4


def test_suspend_takes_a_card_out_of_study_and_unsuspend_brings_it_back(client_for, user, bank):
    client = client_for(user)
    first = bank[0]
    client.post(reverse("card_suspend", args=[first.pk]), {"action": "suspend"})
    assert first.prompt not in client.get(reverse("study")).content.decode()
    response = client.post(reverse("answer", args=[first.pk]), {"rating": 3, "reps": 0})
    assert response.status_code == 400
    assert "suspended" in response.content.decode()
    client.post(reverse("card_suspend", args=[first.pk]), {"action": "unsuspend"})
    assert first.prompt in client.get(reverse("study")).content.decode()
    bad = client.post(reverse("card_suspend", args=[first.pk]), {"action": "delete"})
    assert bad.status_code == 400


def test_i_know_this_already_schedules_a_new_card_days_ahead(client_for, user, bank):
    client = client_for(user)
    question = bank[0]
    client.post(reverse("card_known", args=[question.pk]))
    card = Card.objects.get(user=user, question=question)
    assert card.state == Card.State.REVIEW
    assert card.due - timezone.now() > timedelta(days=2)
    assert Review.objects.get().source == Review.Source.MARKED
    assert client.post(reverse("card_known", args=[question.pk])).status_code == 400
    assert Review.objects.count() == 1


def test_reset_needs_confirmation_and_keeps_history(client_for, user, bank, now):
    question = bank[0]
    answer(user, question, 3, now)
    client = client_for(user)
    assert (
        "Reset this card?" in client.get(reverse("card_reset", args=[question.pk])).content.decode()
    )
    assert client.post(reverse("card_reset", args=[question.pk])).status_code == 400
    assert Card.objects.get(user=user, question=question).state == Card.State.LEARNING
    client.post(reverse("card_reset", args=[question.pk]), {"confirm": "yes"})
    card = Card.objects.get(user=user, question=question)
    assert (card.state, card.stability, card.due) == (Card.State.NEW, None, None)
    assert card.reps == 2  # an answer prepared before the reset no longer applies
    assert Review.objects.filter(user=user).count() == 1
    assert question.prompt in client.get(reverse("study")).content.decode()


def test_a_leech_is_flagged_on_the_dashboard_with_a_suspend_offer(client_for, user, bank, now):
    Card.objects.create(user=user, question=bank[5], state=2, stability=1.0, due=now,
                        last_review=now, lapses=8)  # fmt: skip
    html = client_for(user).get(reverse("dashboard")).content.decode()
    assert "Cards you keep forgetting" in html
    assert bank[5].prompt in html
    assert reverse("card_suspend", args=[bank[5].pk]) in html


def test_study_this_is_restricted_to_its_subsection_and_ignores_the_new_limit(client_for, bank):
    user = make_user(new_per_day=0)
    client = client_for(user)
    target = bank[-1].subsection
    html = client.get(reverse("study") + f"?scope=subsection:{target.key}").content.decode()
    assert target.title in html
    seen = set()
    for _ in range(5):
        html = client.get(reverse("study") + f"?scope=subsection:{target.key}").content.decode()
        question = next(q for q in bank if q.subsection_id == target.pk and q.prompt in html)
        seen.add(question.pk)
        reps = Card.objects.filter(user=user, question=question).values_list("reps", flat=True)
        client.post(
            reverse("answer", args=[question.pk]),
            {"rating": 4, "reps": reps[0] if reps else 0, "scope": f"subsection:{target.key}"},
        )
    assert seen == {q.pk for q in bank if q.subsection_id == target.pk}
    done = client.get(reverse("study") + f"?scope=subsection:{target.key}").content.decode()
    assert "all done" in done


def test_an_unknown_scope_is_404(client_for, user, bank):
    client = client_for(user)
    for scope in ("section:nope", "subsection:nope", "weakest:drill", "everything", "weakest:x"):
        assert client.get(reverse("study") + f"?scope={scope}").status_code == 404


def test_drill_my_weakest_goes_through_the_weakest_studied_cards(client_for, user, bank, now):
    weak, strong = bank[0], bank[1]
    common = {"user": user, "state": 2, "difficulty": 5.0, "reps": 3}
    Card.objects.create(question=weak, stability=1.0, due=now + timedelta(days=5),
                        last_review=now - timedelta(days=20), **common)  # fmt: skip
    Card.objects.create(question=strong, stability=90.0, due=now + timedelta(days=50),
                        last_review=now - timedelta(days=1), **common)  # fmt: skip
    client = client_for(user)
    response = client.post(reverse("drill"))
    assert response["Location"] == reverse("study") + "?scope=weakest:drill"
    html = client.get(response["Location"]).content.decode()
    assert weak.prompt in html and "Drill my weakest" in html
    client.post(
        reverse("answer", args=[weak.pk]), {"rating": 3, "reps": 3, "scope": "weakest:drill"}
    )
    html = client.get(response["Location"]).content.decode()
    assert strong.prompt in html
    assert Review.objects.get().source == Review.Source.STUDY


def test_drill_without_studied_cards_explains_itself(client_for, user, bank):
    response = client_for(user).post(reverse("drill"), follow=True)
    assert "Study a few cards first" in response.content.decode()


def test_card_controls_404_for_unknown_questions(client_for, user, bank):
    client = client_for(user)
    for name in ("card_suspend", "card_known", "card_reset"):
        assert client.post(reverse(name, args=[999999]), {"action": "suspend"}).status_code == 404
    assert client.get(reverse("card", args=[999999])).status_code == 404


def test_card_page_shows_only_the_learners_own_history(client_for, bank, now):
    ann, bob = make_user("ann"), make_user("bob")
    question = bank[0]
    answer(ann, question, 1, now)
    html = client_for(bob).get(reverse("card", args=[question.pk])).content.decode()
    assert "No reviews yet" in html
    html = client_for(ann).get(reverse("card", args=[question.pk])).content.decode()
    assert "Didn&#x27;t know" in html or "Didn't know" in html
    bad = client_for(ann).get(reverse("card", args=[question.pk]) + "?before=yesterday")
    assert bad.status_code == 400


def test_history_pages_by_date(client_for, user, now):
    (question,) = make_bank(1)
    for i in range(55):
        answer(user, question, 3, now + timedelta(days=30 * i))
    client = client_for(user)
    first = client.get(reverse("card", args=[question.pk])).content.decode()
    assert first.count("<tr>") == 51 and "Older" in first
    older_link = first.split('href="?before=')[1].split('"')[0]
    second = client.get(reverse("card", args=[question.pk]) + "?before=" + older_link).content
    assert second.decode().count("<tr>") == 6
