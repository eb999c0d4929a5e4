"""Production settings, security headers, CSP, throttling and error pages."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import DatabaseError, OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from .conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "k3J9-vQz2!pL8w#Xe5Rt@Yu1^Io6&As4Df7*Gh0Jk2Lz9Xc3Vb8Nm5Qw1Er6Ty4U",
    "ALLOWED_HOSTS": "prep.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    "PATH": os.environ["PATH"],
}


def test_the_production_settings_pass_check_deploy_with_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=PRODUCTION_ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_settings_values():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS, "
        "s.SECURE_REFERRER_POLICY, s.DEBUG, s.STORAGES['staticfiles']['BACKEND'], "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
        env={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "genai_prep.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.stdout.split() == [
        "True", "31536000", "True", "True", "True", "DENY", "same-origin", "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage", "True",
    ]  # fmt: skip


def test_every_page_sends_the_security_headers_and_a_strict_csp(client_for, user, bank):
    client = client_for(user)
    for url in ("/", "/study/", "/stats/", "/accounts/login/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_http_is_redirected_to_https_and_https_gets_hsts(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_have_no_inline_script_or_style(client_for, user, bank):
    client = client_for(user)
    pages = ["/", "/study/", reverse("reveal", args=[bank[0].pk]), "/stats/", "/browse/",
             "/settings/", reverse("card", args=[bank[0].pk]), "/account/data/"]  # fmt: skip
    for url in pages:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


def test_the_request_id_from_a_proxy_is_kept_when_sane(client, db):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"})["X-Request-ID"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"})["X-Request-ID"]
    assert odd != "<script>"


def test_healthz_checks_the_database(client, db, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "up"}

    class Down:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("genai_prep.errors.connection", Down())
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "down"


def test_login_is_locked_after_repeated_failures_and_staff_too(client, db):
    make_user("victim")
    staff = make_user("chief")
    staff.is_staff = True
    staff.save()
    for username in ("victim", "chief"):
        for _ in range(5):
            client.post("/accounts/login/", {"login": username, "password": "guess"})
        locked = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
        assert locked.status_code == 429
        assert "Too many failed attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_successful_login_rotates_the_session(client, db):
    make_user("rotating")
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"login": "rotating", "password": PASSWORD})
    assert client.session.session_key != before
    assert "_auth_user_id" in client.session


def test_signups_are_limited_per_address(client, db, settings):
    settings.SIGNUPS_PER_HOUR = 2
    for i in range(2):
        data = {"email": f"new{i}@example.com", "password1": PASSWORD}
        assert client.post("/accounts/signup/", data).status_code == 302
        client.post("/accounts/logout/")
    data = {"email": "new3@example.com", "password1": PASSWORD}
    refused = client.post("/accounts/signup/", data)
    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.content.decode()
    assert not User.objects.filter(email="new3@example.com").exists()


def test_weak_passwords_are_refused(client, db):
    response = client.post(
        "/accounts/signup/", {"email": "weak@example.com", "password1": "12345678"}
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


@pytest.mark.parametrize(("url", "status", "text"), [
    ("/no-such-page/", 404, "Not found"),
    ("/cards/999999/", 404, "Not found"),
])  # fmt: skip
def test_error_pages_are_in_the_apps_style_and_leak_nothing(
    client_for, user, db, url, status, text
):
    response = client_for(user).get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert text in html and "css/app" in html
    for leak in ("Traceback", 'File "', "SECRET_KEY", "flashcards/views/", "DoesNotExist"):
        assert leak not in html


def test_a_server_error_gets_the_500_page(client_for, user, db, monkeypatch):
    client = client_for(user)
    client.raise_request_exception = False
    monkeypatch.setattr("flashcards.stats.activity", lambda *a: 1 / 0)
    response = client.get("/stats/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "ZeroDivisionError" not in response.content.decode()


def test_a_database_outage_gets_a_503_with_retry_after(client_for, user, db, monkeypatch):
    client = client_for(user)
    client.raise_request_exception = False

    def outage(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr("flashcards.stats.activity", outage)
    monkeypatch.setattr("genai_prep.errors.connection.is_usable", lambda: False)
    response = client.get("/stats/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Back in a moment" in response.content.decode()


def test_a_deadlock_gets_a_409_asking_to_retry(client_for, user, db, monkeypatch):
    client = client_for(user)
    client.raise_request_exception = False

    class Deadlock(Exception):
        sqlstate = "40P01"  # what psycopg reports when PostgreSQL breaks a deadlock

    def deadlock(*args, **kwargs):
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr("flashcards.stats.activity", deadlock)
    response = client.get("/stats/")
    assert response.status_code == 409
    assert "Nothing was saved from this request: try it again." in response.content.decode()


def test_a_lock_out_is_per_username_and_address_and_expires(db):
    make_user("guarded")
    make_user("neighbour")
    make_user("other")
    start = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)

    def log_in(username: str, password: str, address: str):
        client = Client(REMOTE_ADDR=address)
        return client, client.post("/accounts/login/", {"login": username, "password": password})

    with time_machine.travel(start, tick=False):
        for username, address in (("guarded", "203.0.113.7"), ("neighbour", "192.0.2.50")):
            for attempt in range(1, 6):  # the fifth failure locks
                status = log_in(username, "guess", address)[1].status_code
                assert status == (429 if attempt == 5 else 200), attempt
            assert log_in(username, PASSWORD, address)[1].status_code == 429
    # Just before expiry the lock holds, for this username at this address only.
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert log_in("neighbour", PASSWORD, "192.0.2.50")[1].status_code == 429
        other_address = log_in("neighbour", PASSWORD, "198.51.100.9")
        assert other_address[1].status_code == 302 and "_auth_user_id" in other_address[0].session
        assert log_in("other", "guess", "192.0.2.50")[1].status_code == 200  # not locked: a form
    # Fifteen minutes after its last failure, the untouched lock has expired.
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        client, response = log_in("guarded", PASSWORD, "203.0.113.7")
        assert response.status_code == 302 and "_auth_user_id" in client.session
