"""Every URL the project defines, requested as an anonymous visitor, another learner and staff."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from flashcards.models import Report

from .conftest import PASSWORD, make_bulk_history, make_user

PUBLIC = {"login", "signup", "healthz", "logout", "dashboard"}  # "/" is the front page
SECRET = "ALICE-PRIVATE-COMMENT"


def _patterns(resolver=None, prefix="", namespace=None):
    """Yield (name, route, namespace) for every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, route, namespace


def _fill(route: str, question_id: int) -> str:
    """Turn a route into a concrete path, with a real question id for every parameter."""
    path = re.sub(r"<(?:int:)?question_id>|<int:\w+>", str(question_id), route)
    path = re.sub(r"<path:object_id>", str(question_id), path)
    path = re.sub(r"<[^>]+>", "flashcards", path)  # admin app_label and the like
    path = re.sub(r"\^|\$|\(\?P<[^>]+>[^)]*\)", "", path)
    return "/" + path


APP_ROUTES = sorted(
    (name, route) for name, route, namespace in _patterns() if namespace != "admin" and name
)
ADMIN_ROUTES = sorted(
    (name, route) for name, route, namespace in _patterns() if namespace == "admin" and name
)


@pytest.fixture
def people(bank, now):
    alice, bob = make_user("alice"), make_user("bob")
    make_bulk_history(alice, bank[:10], 5, now)
    Report.objects.create(user=alice, question=bank[0], version=1, kind="wrong", comment=SECRET)
    staff = User.objects.create_user("staffer", password=PASSWORD, is_staff=True, is_superuser=True)
    return alice, bob, staff


def test_the_matrix_covers_every_app_url():
    names = {name for name, _ in APP_ROUTES}
    assert {"dashboard", "study", "answer", "undo", "browse", "statistics", "export_csv"} <= names


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _check_app_url(client, people, name: str, url: str) -> list[str]:
    alice, bob, staff = people
    problems = []
    for method in ("get", "post"):
        client.logout()
        anonymous = getattr(client, method)(url)
        if name in PUBLIC:
            if anonymous.status_code >= 500:
                problems.append(f"{method} {url} anonymous: {anonymous.status_code}")
        elif anonymous.status_code != 405 and not _sent_to_login(anonymous):
            # (a wrong method is refused before anything else: 405 is fine)
            problems.append(f"{method} {url} anonymous: not sent to log in")
        for user in (bob, staff):
            client.force_login(user)
            response = getattr(client, method)(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code >= 500:
                problems.append(f"{method} {url} as {user}: {response.status_code}")
            if SECRET.encode() in body or b"alice" in body.lower():
                problems.append(f"{method} {url} as {user}: shows another learner's data")
    return problems


def test_every_app_url_for_anonymous_another_learner_and_staff(client, people, bank):
    problems = []
    for name, route in APP_ROUTES:
        problems += _check_app_url(client, people, name, _fill(route, bank[0].pk))
    assert problems == []


def test_every_admin_url_is_for_staff_only(client, people, bank):
    alice, bob, staff = people
    problems = []
    for name, route in ADMIN_ROUTES:
        if name in {"logout", "login"}:
            continue
        url = _fill(route, bank[0].pk)
        for user in (None, bob):
            client.logout()
            if user:
                client.force_login(user)
            response = client.get(url)
            refused = response.status_code == 404 or (
                response.status_code == 302 and "/admin/login/" in response["Location"]
            )
            if not refused:
                problems.append(f"{url} as {user or 'anonymous'}: {response.status_code}")
        client.force_login(staff)
        if client.get(url).status_code >= 500:
            problems.append(f"{url} as staff: 5xx")
    assert problems == []


def test_another_learner_sees_none_of_alices_progress(client, people, bank):
    alice, bob, staff = people
    client.force_login(bob)
    stats = client.get(reverse("statistics")).content.decode()
    assert "<dt>Answers</dt><dd>0</dd>" in stats
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="done-count">0<' in dashboard
    card = client.get(reverse("card", args=[bank[0].pk])).content.decode()
    assert "No reviews yet" in card
