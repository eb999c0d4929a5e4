"""Installable on a phone: manifest, icons, service worker and offline page."""

import json
import struct
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from .conftest import make_user


def _png_size(path: str) -> tuple[int, int]:
    data = Path(finders.find(path)).read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_has_what_phones_ask_for(client, db):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/study/" and data["display"] == "standalone"
    assert data["name"] and data["short_name"] and data["theme_color"]
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        path = icon["src"].removeprefix("/static/")
        assert client.get(icon["src"]).status_code == 200
        width = int(icon["sizes"].split("x")[0])
        stem = path.rsplit("/", 1)[-1].split(".")[0]  # icon-192 (hashed name in production)
        assert _png_size(f"icons/{stem}.png") == (width, width)


def test_every_page_links_the_manifest_and_both_theme_colours(client_for, db):
    html = client_for(make_user()).get("/").content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in html
    assert 'media="(prefers-color-scheme: light)"' in html
    assert 'media="(prefers-color-scheme: dark)"' in html


def test_the_service_worker_caches_only_static_files_and_the_offline_page(client, db):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    shell = json.loads(script.split("const SHELL = ", 1)[1].split(";", 1)[0])
    assert shell and all(url.startswith("/static/") for url in shell)
    assert 'const OFFLINE = "/offline/";' in script
    assert '"/study/"' not in script and "/cards/" not in script


def test_the_offline_page_holds_no_learner_data(client_for, db):
    user = make_user("private-person")
    html = client_for(user).get(reverse("offline")).content.decode()
    assert "You are offline" in html
    assert "private-person" not in html and "csrfmiddlewaretoken" not in html
    assert "Log out" not in html
