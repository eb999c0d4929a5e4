"""Page weight: the study page within 30 KB compressed on a first visit; static files cached."""

import gzip
import re

from django.conf import settings
from django.urls import reverse

BUDGET = 30 * 1024


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_the_study_page_is_light(client_for, user, bank):
    client = client_for(user)
    response = client.get(reverse("study"))
    html = response.content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', html)
    assert any(a.endswith(b".css") for a in assets) and any(a.endswith(b".js") for a in assets)
    sizes = {"html": _gzipped(html)}
    for url in assets:
        path = settings.STATIC_ROOT / url.decode().removeprefix("/static/")
        sizes[url.decode()] = _gzipped(path.read_bytes())
    total = sum(sizes.values())
    assert total <= BUDGET, sizes


def test_static_files_have_hashed_names_and_far_future_caching(client_for, user, bank):
    html = client_for(user).get(reverse("study")).content.decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    assert css, "the stylesheet is served under a content-hashed name"
    response = client_for(user).get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"


def test_the_next_card_partial_carries_no_script(client_for, user, bank):
    response = client_for(user).post(
        reverse("answer", args=[bank[0].pk]),
        {"rating": 3, "reps": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"<script" not in response.content
    assert len(response.content) < 8 * 1024
