"""Daily reminders, sent over SMTP to a real server the test starts, read back as mail."""

import re
import threading
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.urls import reverse

from flashcards import reminders
from flashcards.models import Reminder, ReminderPreference
from tests import mailbox as smtp

from .conftest import answer, make_bank, make_user
from .mailbox import links, parts


def make_learner(name: str, *, hour: int = 15, verified: bool = True, **settings):
    user = make_user(name, **settings)
    EmailAddress.objects.create(
        user=user, email=f"{name}@example.com", primary=True, verified=verified
    )
    ReminderPreference.objects.create(user=user, enabled=True, hour=hour)
    return user


def _dashboard_count(client, testid: str) -> int:
    html = client.get("/").content.decode()
    return int(re.search(rf'data-testid="{testid}">(\d+)<', html).group(1))


def test_the_reminder_says_what_the_dashboard_says_and_links_to_study(
    mailbox, client_for, settings, now
):
    settings.SITE_URL = "https://prep.example.org"
    questions = make_bank(12)
    user = make_learner("ada", interview_date=(now + timedelta(days=9)).date())
    for question in questions[:3]:  # studied two days ago, forgotten: due again now
        answer(user, question, 1, now - timedelta(days=2))
    answer(user, questions[3], 4, now - timedelta(days=1))  # known yesterday: a streak

    assert reminders.send_due(now) == {"sent": 1}
    [message] = mailbox.to("ada@example.com")
    text, html = parts(message)
    with time_machine.travel(now, tick=False):
        client = client_for(user)
        due, new = _dashboard_count(client, "due-count"), _dashboard_count(client, "new-count")
    assert due == 3 and new == 8  # the scenario: 3 forgotten cards; 8 of 12 never seen
    summary = f"{due} cards due · {new} new · your interview is in 9 days · 2-day streak"
    assert message["Subject"].strip() == f"{summary} — GenAI Interview Prep"
    assert summary in text and summary in html
    assert [u for u in links(text) if "/study/" in u] == ["https://prep.example.org/study/"]
    assert 'href="https://prep.example.org/study/"' in html
    unsubscribe = message["List-Unsubscribe"].strip()  # (a long header is folded)
    assert unsubscribe.startswith("<https://prep.example.org/reminders/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(urlsplit(unsubscribe.strip("<>")).path).status_code == 200

    assert reminders.send_due(now + timedelta(minutes=5)) == {}  # once per study day
    assert len(mailbox.messages) == 1


def test_a_learner_with_nothing_due_gets_no_mail(mailbox, now):
    make_bank(3)
    user = make_learner("idle", new_per_day=0)
    assert reminders.send_due(now) == {"nothing_due": 1}
    assert mailbox.messages == []
    assert Reminder.objects.get(user=user).status == "nothing_due"


def test_only_confirmed_addresses_of_learners_who_opted_in_get_reminders(mailbox, now):
    make_bank(3)
    make_learner("unconfirmed", verified=False)
    off = make_learner("off")
    ReminderPreference.objects.filter(user=off).update(enabled=False)
    assert reminders.send_due(now) == {}
    assert mailbox.messages == []


def test_nothing_before_the_chosen_hour_then_one_at_it(mailbox, now):
    make_bank(3)
    make_learner("punctual", hour=16)
    assert reminders.send_due(now + timedelta(minutes=59)) == {}
    assert reminders.send_due(now + timedelta(hours=1)) == {"sent": 1}


def test_a_learner_in_tokyo_gets_theirs_at_seven_local(mailbox):
    make_bank(3)
    user = make_learner("kenji", hour=7, time_zone="Asia/Tokyo")
    before = datetime(2026, 11, 29, 21, 59, tzinfo=UTC)  # 06:59 on the 30th in Tokyo
    assert reminders.send_due(before) == {}
    assert reminders.send_due(before + timedelta(minutes=1)) == {"sent": 1}
    assert Reminder.objects.get(user=user).study_day == date(2026, 11, 30)
    next_day = before + timedelta(days=1, minutes=1)
    assert reminders.send_due(next_day - timedelta(hours=2)) == {}
    assert reminders.send_due(next_day) == {"sent": 1}
    assert len(mailbox.to("kenji@example.com")) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_mail_per_learner(settings, now):
    box = smtp.Mailbox()
    box.delay = 0.3  # each delivery takes a while, so the two runs overlap
    controller = smtp.start(box)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    try:
        make_bank(3)
        learners = [make_learner(f"racer{i}") for i in range(4)]
        start = threading.Barrier(2)
        outcomes = []

        def run():
            start.wait()
            try:
                outcomes.append(reminders.send_due(now))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sum(o.get("sent", 0) for o in outcomes) == 4
        assert sorted(m["To"] for m in box.messages) == sorted(
            f"{u.username}@example.com" for u in learners
        )
        assert reminders.send_due(now + timedelta(minutes=5)) == {}  # and a repeated run
        assert len(box.messages) == 4
        assert Reminder.objects.filter(status="sent").count() == 4
    finally:
        controller.stop()


def test_a_failed_delivery_is_retried_next_run_and_never_sent_twice(mailbox, settings, now):
    make_bank(3)
    user = make_learner("patient")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = smtp.free_port()  # nothing listens there: the server is down
    assert reminders.send_due(now) == {"failed": 1}
    reminder = Reminder.objects.get(user=user)
    assert reminder.attempts == 1 and "Connection" in reminder.last_error
    settings.EMAIL_PORT = port
    assert reminders.send_due(now + timedelta(minutes=5)) == {"sent": 1}
    assert reminders.send_due(now + timedelta(minutes=10)) == {}
    assert len(mailbox.to("patient@example.com")) == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.attempts == 2


def test_a_refused_address_stops_reminders_until_turned_on_again(mailbox, client_for, now):
    make_bank(3)
    user = make_learner("gone")
    mailbox.refuse.add("gone@example.com")
    assert reminders.send_due(now) == {"bounced": 1}
    assert ReminderPreference.objects.get(user=user).undeliverable
    assert reminders.send_due(now + timedelta(days=1)) == {}
    assert not Reminder.objects.filter(user=user, study_day=now.date() + timedelta(1)).exists()

    client = client_for(user)
    assert "refused your address" in client.get(reverse("reminder_settings")).content.decode()
    client.post(reverse("reminder_settings"), {"enabled": "on", "hour": "15"})
    assert not ReminderPreference.objects.get(user=user).undeliverable
    mailbox.refuse.clear()
    assert reminders.send_due(now + timedelta(days=1)) == {"sent": 1}


def test_one_click_unsubscribe_without_login_and_no_replay(mailbox, now):
    make_bank(3)
    user = make_learner("leaver")
    reminders.send_due(now)
    [message] = mailbox.messages
    url = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    text, _ = parts(message)
    assert any(urlsplit(link).path == url for link in links(text))
    anonymous = Client(enforce_csrf_checks=True)

    assert anonymous.get(url).status_code == 200  # a link scanner's GET changes nothing
    assert ReminderPreference.objects.get(user=user).enabled

    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    refused = anonymous.post(tampered, "List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert refused.status_code == 400 and "not valid" in refused.content.decode()
    assert ReminderPreference.objects.get(user=user).enabled

    done = anonymous.post(url, "List-Unsubscribe=One-Click",
                          content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert done.status_code == 200 and "Reminders stopped" in done.content.decode()
    assert not ReminderPreference.objects.get(user=user).enabled

    ReminderPreference.objects.filter(user=user).update(enabled=True)  # turned on again later
    replayed = anonymous.post(url, "List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert replayed.status_code == 400 and "already used" in replayed.content.decode()
    assert ReminderPreference.objects.get(user=user).enabled


def test_turning_reminders_on_needs_a_confirmed_address(client_for, db):
    user = make_user("nomail")
    client = client_for(user)
    response = client.post(reverse("reminder_settings"), {"enabled": "on", "hour": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Add and confirm an e-mail address first." in html
    assert 'aria-describedby="id_enabled_error"' in html
    assert not ReminderPreference.objects.filter(user=user, enabled=True).exists()
    EmailAddress.objects.create(user=user, email="n@example.com", primary=True, verified=True)
    assert (
        client.post(reverse("reminder_settings"), {"enabled": "on", "hour": "7"}).status_code == 302
    )
    assert ReminderPreference.objects.get(user=user).hour == 7
    bad = client.post(reverse("reminder_settings"), {"enabled": "on", "hour": "24"})
    assert bad.status_code == 400 and ReminderPreference.objects.get(user=user).hour == 7


def test_the_command_sends_and_says_what_it_did(mailbox, now):
    from io import StringIO

    from django.core.management import call_command

    make_bank(3)
    make_learner("cli")
    out = StringIO()
    with time_machine.travel(now, tick=False):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "reminders: 1 sent"
    assert len(mailbox.messages) == 1
