"""Every page loads its CSS, fonts and scripts from the app's own origin, and BEHIND_PROXY trusts
the proxy's X-Forwarded-Proto and nothing else."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import override_settings

from .conftest import PASSWORD, make_user
from .test_authorisation import APP_ROUTES, _fill

ROOT = Path(__file__).resolve().parent.parent


class _Resources(HTMLParser):
    """Collect every URL a page would load: stylesheets, icons, scripts, images, inline CSS."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        for name in ("src", "srcset", "data"):
            if tag in {"script", "img", "iframe", "source", "object", "embed"} and attrs.get(name):
                self.urls.append(attrs[name])
        if attrs.get("style"):
            self.urls += re.findall(r"url\(([^)]*)\)", attrs["style"])


def _foreign(url: str) -> bool:
    url = url.strip().strip("'\"")
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) or url.startswith("http")


def test_no_page_loads_css_fonts_or_scripts_from_another_origin(client, bank):
    learner = make_user()
    staff = User.objects.create_user("origin-staff", password=PASSWORD, is_staff=True,
                                     is_superuser=True)  # fmt: skip
    pages = [
        "/accounts/login/",
        "/accounts/signup/",
        "/admin/",
        "/admin/flashcards/question/",
        f"/admin/flashcards/question/{bank[0].pk}/change/",
        "/admin/flashcards/question/add/",
    ]
    pages += [_fill(route, bank[0].pk) for name, route in APP_ROUTES]
    checked = 0
    for page in pages:
        client.force_login(staff if page.startswith("/admin/") else learner)
        response = client.get(page)
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Resources()
        parser.feed(response.content.decode())
        assert not [u for u in parser.urls if _foreign(u)], page
        csp = response.get("Content-Security-Policy", "")
        assert "http" not in csp and "*" not in csp, (page, csp)
        checked += 1
    assert checked >= 15
    # The stylesheets themselves import nothing from elsewhere (fonts included).
    for name in ("css/app.css",):
        css = Path(finders.find(name)).read_text()
        assert not [u for u in re.findall(r"url\(([^)]*)\)|@import\s+([^;]+)", css)
                    if any(_foreign(x) for x in u if x)], name  # fmt: skip


def _proxy_settings(behind: str) -> str:
    env = {**os.environ, "SECRET_KEY": "x" * 60, "BEHIND_PROXY": behind, "HTTPS": "1"}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.USE_X_FORWARDED_HOST, "
            "s.USE_X_FORWARDED_PORT)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "genai_prep.settings"},
                            check=True)  # fmt: skip
    return result.stdout.strip()


def test_behind_proxy_trusts_x_forwarded_proto_and_nothing_else(client, db):
    assert _proxy_settings("1") == "('HTTP_X_FORWARDED_PROTO', 'https') False False"
    assert _proxy_settings("0") == "None False False"
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                           SECURE_SSL_REDIRECT=True):  # fmt: skip
        assert (
            client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code
            == 200
        )
        for headers in ({"Forwarded": "proto=https"}, {"X-Forwarded-Ssl": "on"},
                        {"X-Forwarded-Scheme": "https"}, {"X-Forwarded-Port": "443"},
                        {"X-Forwarded-Proto": "http"}):  # fmt: skip
            response = client.get("/accounts/login/", headers=headers)
            assert response.status_code == 301, headers
            assert response["Location"].startswith("https://"), headers
