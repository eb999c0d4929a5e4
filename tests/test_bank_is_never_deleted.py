"""The bank is deactivated, never deleted: learner history is protected in the database too."""

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from flashcards import account
from flashcards.models import Card, Question, Report, Review, Section, Subsection

from .conftest import PASSWORD, answer, make_user


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_user("chief", password=PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def studied(bank, now):
    learner = make_user()
    question = bank[0]
    answer(learner, question, 3, now)
    Report.objects.create(user=learner, question=question, version=1, kind="wrong")
    return learner, question


def test_deleting_a_studied_question_is_refused_by_django_and_by_the_database(studied):
    learner, question = studied
    with pytest.raises(ProtectedError):
        question.delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM flashcards_question WHERE id = %s", [question.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Review.objects.filter(user=learner, question=question).count() == 1
    assert Card.objects.filter(user=learner, question=question).exists()


@pytest.mark.parametrize("model", [Question, Subsection, Section])
def test_the_admin_offers_no_delete_for_the_bank(client, superuser, studied, model):
    client.force_login(superuser)
    obj = model.objects.first()
    name = model._meta.model_name
    delete_url = reverse(f"admin:flashcards_{name}_delete", args=[obj.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:flashcards_{name}_changelist")
    html = client.get(changelist).content.decode()
    assert 'value="delete_selected"' not in html
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert model.objects.filter(pk=obj.pk).exists()
    change = client.get(reverse(f"admin:flashcards_{name}_change", args=[obj.pk])).content
    assert b"-DELETE" not in change and b"deletelink" not in change


def test_the_admin_deactivates_a_subsections_questions_and_keeps_progress(
    client, superuser, studied
):
    learner, question = studied
    client.force_login(superuser)
    response = client.post(
        reverse("admin:flashcards_subsection_changelist"),
        {"action": "deactivate_questions", "_selected_action": [question.subsection_id]},
    )
    assert response.status_code == 302
    assert not Question.objects.filter(subsection=question.subsection, is_active=True).exists()
    assert Review.objects.filter(user=learner, question=question).count() == 1


def test_deleting_an_account_still_removes_all_its_data(studied):
    learner, question = studied
    account.account_delete(user=learner)
    assert not Card.objects.exists() and not Review.objects.exists()
    assert not Report.objects.exists()
    assert Question.objects.filter(pk=question.pk).exists()
