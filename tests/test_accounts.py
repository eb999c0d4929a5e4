"""Accounts on allauth, through the real stack: mail goes over SMTP to a server the test starts,
and the tests follow the links that arrived."""

import importlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from flashcards.auth import PASSWORD_RULES
from flashcards.models import Review

from .conftest import PASSWORD, answer, make_user
from .mailbox import links, parts

NEW_PASSWORD = "another-horse-staple-7"


def _path(url: str) -> str:
    return urlsplit(url).path


def _sign_up(client, email, **extra):
    return client.post(reverse("signup"), {"email": email, "password1": PASSWORD, **extra})


def _link_in(message, fragment: str) -> str:
    text, html = parts(message)
    found = [url for url in links(text) if fragment in url]
    assert len(found) == 1, text
    assert f'href="{found[0]}"' in html, "the HTML part carries the same link"
    return found[0]


def test_signing_up_with_an_address_lands_on_study_and_mails_a_confirmation(client, mailbox):
    response = _sign_up(client, "Cleo@Example.com")
    assert response.status_code == 302 and response["Location"] == "/study/"
    user = User.objects.get(email="cleo@example.com")
    assert user.username == "cleo"  # derived from the address
    address = EmailAddress.objects.get(user=user)
    assert address.primary and not address.verified

    [message] = mailbox.to("cleo@example.com")
    assert message["Subject"] == "Please Confirm Your Email Address"
    assert message["From"] == "GenAI Interview Prep <noreply@localhost>"
    text, html = parts(message)
    assert text.startswith("Hello from GenAI Interview Prep!") and "example.com" not in text
    assert "an account on 127.0.0.1:8000" in text  # the site, named from SITE_URL
    assert "GenAI Interview Prep" in html and "prefers-color-scheme: dark" in html
    link = _link_in(message, "/accounts/confirm-email/")
    page = client.get(_path(link))
    assert page.status_code == 200 and "cleo@example.com" in page.content.decode()
    client.post(_path(link))
    address.refresh_from_db()
    assert address.verified


def test_mandatory_verification_keeps_the_door_shut_until_the_link_is_followed(
    client, mailbox, settings
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = _sign_up(client, "dora@example.com", username="dora")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    refused = client.post(reverse("login"), {"login": "dora", "password": PASSWORD})
    assert "_auth_user_id" not in client.session and refused.status_code == 302

    link = _link_in(mailbox.to("dora@example.com")[-1], "/accounts/confirm-email/")
    client.post(_path(link))
    assert EmailAddress.objects.get(email="dora@example.com").verified
    client.post(reverse("login"), {"login": "dora@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(username="dora").pk)


def test_a_used_or_tampered_confirmation_link_confirms_nothing(client, mailbox):
    _sign_up(client, "eve@example.com")
    link = _path(_link_in(mailbox.to("eve@example.com")[0], "/accounts/confirm-email/"))
    tampered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]
    client.post(tampered)
    assert not EmailAddress.objects.get(email="eve@example.com").verified
    assert client.get(tampered).status_code == 200  # "this link expired or is invalid" page


def test_password_reset_end_to_end_through_the_mail(client, mailbox, bank, now):
    user = make_user("forgetful")
    EmailAddress.objects.create(user=user, email="forgetful@example.com", primary=True)
    answer(user, bank[0], 3, now)
    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302

    [message] = mailbox.to("forgetful@example.com")
    link = _link_in(message, "/accounts/password/reset/key/")
    form_page = client.get(_path(link), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.post(_path(link)).status_code in (200, 302)  # replaying the link is harmless
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Review.objects.filter(user=user).count() == 1  # progress untouched

    client.post(reverse("login"), {"login": "forgetful@example.com", "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_by_username_or_by_address(client, db):
    user = make_user("both")
    EmailAddress.objects.create(user=user, email="both@example.com", primary=True, verified=True)
    for login in ("both", "BOTH@example.com"):
        client.logout()
        response = client.post(reverse("login"), {"login": login, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert client.session["_auth_user_id"] == str(user.pk)


def test_an_old_username_only_account_adds_an_address_and_can_then_reset(client, mailbox):
    user = make_user("veteran")
    client.post(reverse("login"), {"login": "veteran", "password": PASSWORD})
    assert "none yet" in client.get(reverse("your_data")).content.decode()
    asked = client.post(reverse("account_email"), {"email": "vet@example.com", "action_add": ""})
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.exists()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"email": "vet@example.com", "action_add": ""})
    link = _link_in(mailbox.to("vet@example.com")[0], "/accounts/confirm-email/")
    client.post(_path(link))
    assert EmailAddress.objects.get(user=user).verified
    user.refresh_from_db()
    assert user.email == "vet@example.com"


def test_changing_the_address_needs_the_password_and_the_new_address_confirmed(client_for, mailbox):
    user = make_user("mover")
    EmailAddress.objects.create(user=user, email="old@example.com", primary=True, verified=True)
    client = client_for(user)
    wrong = client.post(reverse("account_reauthenticate"), {"password": "guess"})
    assert wrong.status_code == 200 and "_auth_user_id" in client.session
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})
    assert EmailAddress.objects.get(user=user, primary=True).email == "old@example.com"
    link = _link_in(mailbox.to("new@example.com")[0], "/accounts/confirm-email/")
    client.post(_path(link))
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "primary")) == [
        ("new@example.com", True)
    ]


def _locked(response) -> bool:
    return response.status_code == 429 and "Too many failed attempts" in response.content.decode()


def test_guessing_by_address_locks_the_account_for_its_username_too(client, db):
    user = make_user("target")
    EmailAddress.objects.create(user=user, email="target@example.com", primary=True)
    for _ in range(4):
        client.post(reverse("login"), {"login": "target@example.com", "password": "guess"})
    client.post(reverse("login"), {"login": "target", "password": "guess"})
    locked = client.post(reverse("login"), {"login": "target", "password": PASSWORD})
    assert _locked(locked) and "_auth_user_id" not in client.session
    locked = client.post(reverse("login"), {"login": "TARGET@example.com", "password": PASSWORD})
    assert _locked(locked) and "_auth_user_id" not in client.session
    other = make_user("bystander")  # another account from the same address is not locked
    client.post(reverse("login"), {"login": "bystander", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(other.pk)


@pytest.mark.parametrize(
    ("url", "field", "extra"),
    [
        ("account_change_password", "oldpassword",
         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        ("account_reauthenticate", "password", {}),
        ("delete_account", "password", {}),
    ],
)  # fmt: skip
def test_every_form_that_checks_a_password_counts_towards_the_lock_out(
    client, db, url, field, extra
):
    user = make_user("signedin")
    client.post(reverse("login"), {"login": "signedin", "password": PASSWORD})
    responses = [client.post(reverse(url), {field: "guess", **extra}) for _ in range(5)]
    assert not any(_locked(r) for r in responses[:4]) and _locked(responses[4])
    # the right password now is refused too (by the lock-out, or allauth's own per-user limit)
    assert client.post(reverse(url), {field: PASSWORD, **extra}).status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and User.objects.filter(pk=user.pk).exists()
    client.logout()
    assert _locked(client.post(reverse("login"), {"login": "signedin", "password": PASSWORD}))


def test_sign_up_errors_are_tied_to_their_fields_and_the_rules_said_once(client, db):
    make_user("taken")
    html = client.post(
        reverse("signup"), {"email": "not-an-address", "username": "taken", "password1": "123"}
    ).content.decode()
    for name in ("email", "username", "password1"):
        assert f'id="id_{name}_error"' in html
        assert f'aria-describedby="id_{name}_error' in html
    assert 'aria-describedby="id_password1_error id_password1_helptext"' in html
    assert html.count(PASSWORD_RULES) == 1
    assert "<label" in html and ":</label>" not in html
    assert User.objects.count() == 1


def test_no_third_party_buttons_without_credentials(client, db):
    for url in (reverse("login"), reverse("signup")):
        html = client.get(url).content.decode()
        assert "Continue with" not in html and "3rdparty" not in html


def test_the_migration_gives_existing_accounts_their_address(db):
    migration = importlib.import_module("flashcards.migrations.0008_i17_email_addresses")
    old = User.objects.create_user("old", email="Old@Example.com", password=PASSWORD)
    twin = User.objects.create_user("twin", email="old@example.com", password=PASSWORD)
    bare = User.objects.create_user("bare", password=PASSWORD)
    done = User.objects.create_user("done", email="done@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=done, email="done@example.com", verified=True, primary=True)

    migration.addresses_from_users(apps, None)
    migration.addresses_from_users(apps, None)  # running twice changes nothing

    rows = set(EmailAddress.objects.values_list("user__username", "email", "primary", "verified"))
    assert rows == {
        ("old", "old@example.com", True, False),
        ("done", "done@example.com", True, True),
    }
    assert not EmailAddress.objects.filter(user__in=[twin, bare]).exists()
    client_response_user = User.objects.get(pk=old.pk)
    assert client_response_user.check_password(PASSWORD)


def test_github_and_google_buttons_appear_once_their_credentials_are_set(db):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "SECRET_KEY": "x", "HTTPS": "0", "ALLOWED_HOSTS": "testserver",
        "GITHUB_CLIENT_ID": "gh-id", "GITHUB_CLIENT_SECRET": "gh-secret",
        "GOOGLE_CLIENT_ID": "g-id", "GOOGLE_CLIENT_SECRET": "g-secret",
    }  # fmt: skip
    script = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/accounts/login/').content.decode())"
    )
    root = Path(__file__).parent.parent
    html = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True, cwd=root).stdout  # fmt: skip
    assert "Continue with GitHub" in html and "Continue with Google" in html
    assert 'href="/accounts/github/login/?process=login"' in html
