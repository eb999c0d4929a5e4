"""Outgoing mail: configured from the environment, every message with a text and an HTML part."""

import json
import os
import subprocess
import sys
from pathlib import Path

from flashcards.mail import text_to_html

ROOT = Path(__file__).resolve().parent.parent
PRINT_MAIL_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]))"
)


def _mail_settings(**env) -> list:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM"))}
    base.update(DJANGO_SETTINGS_MODULE="genai_prep.settings", SECRET_KEY="x", **env)
    out = subprocess.run([sys.executable, "-c", PRINT_MAIL_SETTINGS], env=base, cwd=ROOT,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_smtp_settings_come_from_the_environment():
    assert _mail_settings(
        EMAIL_HOST="smtp.example.org", EMAIL_PORT="2525", EMAIL_HOST_USER="prep",
        EMAIL_HOST_PASSWORD="s3cret", EMAIL_USE_TLS="1", DEFAULT_FROM_EMAIL="Prep <p@example.org>",
    ) == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 2525, "prep", "s3cret",
          True, "Prep <p@example.org>"]  # fmt: skip


def test_a_development_run_without_a_mail_server_prints_mail():
    backend, *_ = _mail_settings(DEBUG="1")
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_the_html_part_escapes_the_text_and_makes_links_clickable():
    html = text_to_html("Hi <b>you</b> & co,\n\nGo to https://x.example/a?b=1&c=2 now.")
    assert html == (
        "<p>Hi &lt;b&gt;you&lt;/b&gt; &amp; co,</p>\n"
        '<p>Go to <a href="https://x.example/a?b=1&amp;c=2">https://x.example/a?b=1&amp;c=2</a>'
        " now.</p>"
    )
