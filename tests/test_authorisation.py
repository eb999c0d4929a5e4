"""Every URL the project defines, requested as an anonymous visitor, another learner and staff."""

import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from flashcards import practice, tags
from flashcards.models import Note, Report

from .conftest import PASSWORD, answer, make_bulk_history, make_own_card, make_user

PUBLIC = {"login", "signup", "healthz", "logout", "favicon", "dashboard"} | {  # "/": the front page
    # allauth's pages for people who are not signed in (yet)
    "account_login", "account_logout", "account_signup", "account_inactive",
    "account_confirm_email", "account_email_verification_sent", "account_confirm_login_code",
    "account_reset_password", "account_reset_password_done", "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "socialaccount_signup", "socialaccount_login_cancelled", "socialaccount_login_error",
    "reminder_unsubscribe",  # the signed token in the mailed link is the credential
    "manifest", "service_worker", "offline",  # the installable app's files: no learner data
}  # fmt: skip
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


def _fill(route: str, question_id: int, interview_id: int = 0) -> str:
    """Turn a route into a concrete path: a real question id, the other learner's interview."""
    route = re.sub(r"\(\?P<(?:key|uidb36)>[^)]*\)", "x", route)  # allauth's mailed keys
    path = re.sub(r"<int:interview_id>", str(interview_id or question_id), route)
    path = re.sub(r"<int:position>", "0", path)
    path = re.sub(r"<(?:int:)?question_id>|<int:\w+>", str(question_id), path)
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


# Alice's data, planted with values found nowhere else: her name, a report comment, what she typed
# in a practice interview, the dates of her reviews and of her interview. None contains only
# letters and digits, so a random token (a CSRF token is [A-Za-z0-9]) cannot spell one; the
# earlier check looked for "alice" in lower-cased bodies, which a token can spell.
ALICE = "alice.private_learner"
TYPED = "ALICE-TYPED-ANSWER-7Q"
OWN_PROMPT = "ALICE-OWN-CARD-PROMPT-4V"  # her own card (#16)
TAG = "alice-private-tag-8w"  # a tag name is lower case: the hyphens keep tokens from spelling it
NOTE = "ALICE-NOTE-9Z zanzibar"  # her note on the first card; the word is in no answer
PLANTED = [ALICE, SECRET, TYPED, NOTE[:12], "2025-02-1", "Feb. 13, 2025", "2027-03-09",
           "March 9, 2027", OWN_PROMPT, TAG]  # fmt: skip


@pytest.fixture
def people(bank, now):
    alice, bob = make_user(ALICE, interview_date=date(2027, 3, 9)), make_user("bob")
    make_bulk_history(alice, bank[:10], 5, datetime(2025, 2, 13, 9, 0, tzinfo=UTC))
    Report.objects.create(user=alice, question=bank[0], version=1, kind="wrong", comment=SECRET)
    Note.objects.create(user=alice, question=bank[0], text=NOTE, updated_at=now)
    alice.interview = practice.interview_start(
        user=alice, length=5, focus=practice.Focus("bank", "Whole bank"), now=now, seed=3
    )
    first = practice.current_answer(alice.interview)
    practice.answer_reveal(answer=first, typed=TYPED, now=now)
    alice.own_card = make_own_card(alice, prompt=OWN_PROMPT, priority="high")
    answer(alice, alice.own_card, 1, now)
    for question in (bank[0], alice.own_card):
        tags.tag_add(user=alice, question=question, name=TAG)
    staff = User.objects.create_user("staffer", password=PASSWORD, is_staff=True, is_superuser=True)
    return alice, bob, staff


def _readable(response) -> bytes:
    """The body as text a learner would read: zip members (exports, Anki decks) unpacked."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body


def _leaks(body: bytes) -> list[str]:
    return [value for value in PLANTED if value.encode() in body]


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
            if response.status_code >= 500:
                problems.append(f"{method} {url} as {user}: {response.status_code}")
            if leaked := _leaks(_readable(response)):
                problems.append(f"{method} {url} as {user}: shows another learner's {leaked}")
    return problems


def test_every_app_url_for_anonymous_another_learner_and_staff(client, people, bank):
    problems = []
    alice = people[0]
    for name, route in APP_ROUTES:
        url = _fill(route, bank[0].pk, alice.interview.pk)
        problems += _check_app_url(client, people, name, url)
    assert problems == []


def test_the_planted_values_are_visible_to_their_owner(client, people, bank):
    """The leak check above can fail: alice's own pages and exports show what was planted."""
    alice = people[0]
    client.force_login(alice)
    seen = set()
    for url in (reverse("dashboard"), reverse("settings"), reverse("export_csv"),
                reverse("export_json"), reverse("card", args=[bank[0].pk]),
                reverse("practice_step", args=[alice.interview.pk]), reverse("own_cards"),
                reverse("browse") + f"?tag={TAG}"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        seen.update(_leaks(_readable(response)))
    assert {ALICE, TYPED, NOTE[:12], "2025-02-1", "2027-03-09", OWN_PROMPT, TAG} <= seen


# A POST each card URL would accept for a card the learner may see (so a refusal is about whose
# card it is, not about the form).
VALID_POST = {
    "name": TAG, "confirm": "yes", "action": "suspend", "rating": 3, "reps": 0,
    "kind": "wrong", "prompt": "Taken over?", "placement": "my-questions", "priority": "normal",
}  # fmt: skip


def test_every_url_of_alices_own_card_is_404_for_another_learner_and_staff(client, people, bank):
    """Each app URL that takes a question, given alice's own card: refused as if it did not exist
    (a wrong method may be refused first), for GET and POST, and nothing of hers shown."""
    alice, bob, staff = people
    routes = [(name, route) for name, route in APP_ROUTES if "<int:question_id>" in route]
    assert {"card", "tag_add", "own_card_edit", "own_card_delete", "answer"} <= {
        name for name, _ in routes
    }
    problems = []
    for _name, route in routes:
        url = _fill(route, alice.own_card.pk)
        for user in (bob, staff):
            client.force_login(user)
            for method in ("get", "post"):
                response = getattr(client, method)(url, VALID_POST if method == "post" else None)
                if response.status_code not in (404, 405):
                    problems.append(f"{method} {url} as {user}: {response.status_code}")
                if leaked := _leaks(_readable(response)):
                    problems.append(f"{method} {url} as {user}: shows {leaked}")
    assert problems == []
    study = f"{reverse('study')}?scope=tag:{TAG}"
    client.force_login(bob)
    assert client.get(study).status_code == 404
    assert client.get(reverse("browse") + f"?tag={TAG}").status_code == 404


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


def test_another_learner_cannot_find_or_study_alices_note(client, people, bank):
    alice, bob, staff = people
    for user in (bob, staff):
        client.force_login(user)
        found = client.get(reverse("browse"), {"q": "zanzibar"}).content.decode()
        assert 'data-testid="no-results"' in found and NOTE[:12] not in found
        study = client.get(reverse("study"), {"scope": "search:zanzibar"}).content.decode()
        assert 'data-testid="done-for-today"' in study
        editor = client.get(reverse("card_note", args=[bank[0].pk])).content.decode()
        assert NOTE[:12] not in editor
        # Saving a note on the same card writes their own; alice's stays as it was.
        client.post(reverse("card_note", args=[bank[0].pk]), {"text": "mine"})
        client.post(reverse("card_note", args=[bank[0].pk]), {"text": ""})
    assert Note.objects.get(user=alice).text == NOTE
    client.force_login(alice)
    assert NOTE[:12] in client.get(reverse("browse"), {"q": "zanzibar"}).content.decode()
