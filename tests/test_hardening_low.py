"""The second hardening round's smaller faults (docs/RELIABILITY.md, "Hardening, second round")."""

import csv
import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from django.utils.html import escape

from flashcards.models import Question, Report, StudySettings

from .conftest import PASSWORD, answer, make_user


def test_editors_see_reports_without_the_learners_identity(client, bank, editor):
    learner = make_user("reporter-ann")
    report = Report.objects.create(user=learner, question=bank[0], version=1, kind="wrong")
    client.force_login(editor)
    changelist = reverse("admin:flashcards_report_changelist")
    page = client.get(reverse("admin:flashcards_report_change", args=[report.pk]))
    assert page.status_code == 200 and "reporter-ann" not in page.content.decode()
    assert "reporter-ann" not in client.get(changelist).content.decode()
    filtered = client.get(changelist, {"user__id__exact": learner.pk})
    assert filtered.status_code == 400 or "reporter-ann" not in filtered.content.decode()
    assert client.get(changelist, {"user__username": "reporter-ann"}).status_code == 400


def test_a_superuser_still_sees_who_reported(client, bank):
    chief = User.objects.create_user("chief", password=PASSWORD, is_staff=True, is_superuser=True)
    learner = make_user("reporter-bob")
    report = Report.objects.create(user=learner, question=bank[0], version=1, kind="wrong")
    client.force_login(chief)
    page = client.get(reverse("admin:flashcards_report_change", args=[report.pk]))
    assert "reporter-bob" in page.content.decode()


@pytest.mark.parametrize(
    "prompt", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
)
def test_formulas_in_editor_text_reach_the_csv_export_as_text(client_for, user, bank, now, prompt):
    question = bank[0]
    answer(user, question, 3, now)
    Question.objects.filter(pk=question.pk).update(prompt=prompt)
    response = client_for(user).get(reverse("export_csv"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    text = archive.read("reviews.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "'" + prompt


def test_a_form_post_in_an_unknown_charset_is_a_400_not_a_500(client, db):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=a&password=b",
        content_type="application/x-www-form-urlencoded; charset=no-such-charset",
    )
    assert response.status_code == 400
    assert "Unknown character set" in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(client, db, tmp_path, settings):
    settings.MAX_REQUEST_BYTES = 1_000_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.FILE_UPLOAD_HANDLERS = [
        f"{TemporaryFileUploadHandler.__module__}.TemporaryFileUploadHandler"
    ]
    big = io.BytesIO(b"x" * 2_000_000)
    big.name = "big.bin"
    response = client.post("/accounts/login/", {"username": "a", "password": "b", "file": big})
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("day", ["9999-12-31", "2031-01-01"])
def test_an_interview_date_far_in_the_future_is_refused(client_for, bank, day):
    user = make_user(day_starts_at=4)
    client = client_for(user)
    data = {"new_per_day": 10, "desired_retention": 0.9, "time_zone": "UTC",
            "day_starts_at": 23, "interview_date": day}  # fmt: skip
    response = client.post(reverse("settings"), data)
    assert response.status_code == 200
    assert "within the next two years" in response.content.decode()
    settings = StudySettings.objects.get(user=user)
    assert (settings.interview_date, settings.day_starts_at) == (None, 4)
    assert client.get("/").status_code == 200


def test_an_interview_date_within_two_years_is_kept(client_for, user, bank):
    client = client_for(user)
    later = date.fromordinal(date.today().toordinal() + 700).isoformat()
    data = {"new_per_day": 10, "desired_retention": 0.9, "time_zone": "UTC",
            "day_starts_at": 23, "interview_date": later}  # fmt: skip
    assert client.post(reverse("settings"), data).status_code == 302
    assert client.get("/").status_code == 200


def test_guessing_the_password_through_account_deletion_is_locked_out(client_for, db):
    user = make_user("guarded")
    client = client_for(user)
    statuses = [client.post(reverse("delete_account"), {"password": "guess"}).status_code
                for _ in range(5)]  # fmt: skip
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure starts the lock-out
    locked = client.post(reverse("delete_account"), {"password": PASSWORD})
    assert locked.status_code == 429  # django-axes' lock-out page, even for the right password
    assert User.objects.filter(pk=user.pk).exists()


def test_guessing_the_password_through_password_change_is_locked_out(client_for, db):
    user = make_user("guarded")
    client = client_for(user)
    new = "another-horse-staple-7"
    data = {"password1": new, "password2": new}  # allauth's password change form
    for _ in range(5):
        client.post(reverse("account_change_password"), {**data, "oldpassword": "guess"})
    locked = client.post(reverse("account_change_password"), {**data, "oldpassword": PASSWORD})
    assert locked.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_right_password_still_changes_it_and_deletes_the_account(client_for, db):
    user = make_user("owner")
    client = client_for(user)
    new = "another-horse-staple-7"
    data = {"oldpassword": PASSWORD, "password1": new, "password2": new}
    assert client.post(reverse("account_change_password"), data).status_code == 302
    assert client.post(reverse("delete_account"), {"password": new}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_an_interview_skips_a_question_retired_while_it_was_asked(client_for, user, bank):
    from flashcards.models import Interview, InterviewAnswer, Review

    client = client_for(user)
    client.post(reverse("practice_start"), {"length": 5, "focus": "bank"})
    interview = Interview.objects.latest("pk")
    first, second = interview.question_ids[:2]
    Question.objects.filter(pk=first).update(is_active=False)
    html = client.get(reverse("practice_step", args=[interview.pk])).content.decode()
    assert "retired this question from the bank while you were answering" in html
    page = client.post(reverse("practice_grade", args=[interview.pk, 0]), follow=True)
    html = page.content.decode()
    # The draw is random: a prompt with quotes is in the page HTML-escaped.
    assert "it was skipped" in html and escape(Question.objects.get(pk=second).prompt) in html
    assert not Review.objects.exists()
    assert InterviewAnswer.objects.get(interview=interview, position=0).graded_at is None


def test_an_interview_whose_remaining_questions_were_all_retired_finishes(client_for, user, bank):
    from flashcards.models import Interview

    client = client_for(user)
    client.post(reverse("practice_start"), {"length": 5, "focus": "bank"})
    interview = Interview.objects.latest("pk")
    Question.objects.filter(pk__in=interview.question_ids).update(is_active=False)
    response = client.post(reverse("practice_grade", args=[interview.pk, 0]))
    assert response.status_code == 302
    assert client.get(reverse("practice_step", args=[interview.pk])).status_code == 302
    interview.refresh_from_db()
    assert interview.finished_at is not None
