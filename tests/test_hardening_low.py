"""The second hardening round's smaller faults (docs/RELIABILITY.md, "Hardening, second round")."""

import csv
import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings
from django.urls import reverse

from flashcards.models import Question, Report, StudySettings

from .conftest import PASSWORD, answer, make_user


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


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


@override_settings(MAX_REQUEST_BYTES=1_000_000)
def test_an_oversized_upload_is_refused_before_it_is_read(client, db, tmp_path, settings):
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
