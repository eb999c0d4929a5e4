"""Accessibility (axe-core) of every page the URL conf serves, in both themes at desktop and phone
width; layout on small screens, keyboard-only use, and screenshots of the main pages."""

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import expect

from flashcards import practice, tags
from flashcards.models import Question, Report, StudySettings
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.conftest import PASSWORD, make_history, make_own_card, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = {"dashboard", "study-front", "study-back"}
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 360, "height": 740}


@pytest.fixture
def site(live_server, settings, editor):
    """A seeded site with a learner who has history and an interview at every stage, a report,
    and an editor (staff in the editor group, not a superuser)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    now = timezone.now()
    learner = make_user("learner", interview_date=(now + timedelta(days=20)).date())
    questions = list(Question.objects.select_related("subsection__section").order_by("rank"))
    make_history(learner, questions[:12], 3, now - timedelta(days=30))
    report = Report.objects.create(user=learner, question=questions[0], version=1, kind="unclear")
    own = make_own_card(learner, prompt="My own question?", subsection=questions[0].subsection)
    for question in (own, questions[0]):
        tags.tag_add(user=learner, question=question, name="system-design")

    def start(seed: int):
        interview = practice.interview_start(
            user=learner, length=5, focus=practice.Focus("bank", "Whole bank"), now=now, seed=seed
        )
        return interview, practice.current_answer(interview)

    def reveal(answer):
        practice.answer_reveal(answer=answer, typed=answer.question.key_points[0], now=now)

    def grade(answer):
        practice.answer_grade(answer=answer, covered=[0], would_pass=True, now=now)

    asking, _ = start(seed=1)
    revealed, answer = start(seed=2)
    reveal(answer)
    following, answer = start(seed=3)
    reveal(answer)
    grade(answer)
    finished, answer = start(seed=4)
    while answer is not None:
        reveal(answer)
        grade(answer)
        said = (answer.question.follow_up_key_points or [""])[0]  # the coach reads it
        practice.follow_up_record(answer=answer, text=said, passed=True, now=now)
        answer = practice.current_answer(finished)
    finished.refresh_from_db()
    assert finished.finished_at is not None
    return {
        "url": live_server.url, "learner": learner, "editor": editor, "question": questions[0],
        "report": report, "asking": asking, "revealed": revealed, "following": following,
        "finished": finished, "own": own,
        "replay": practice.interview_replay(interview=finished, now=now),
    }  # fmt: skip


@dataclass(frozen=True)
class Page:
    """A page to scan, reached by `route` with `kwargs` and `query`, and proven to be that page:
    the navigation answers `status` at that very URL (no redirect), its <h1> contains `heading`,
    and `selector` (when given) matches something on it."""

    label: str
    route: str
    heading: str
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    status: int = 200
    selector: str = ""
    post: bool = False  # sent from the page before as a form with no CSRF token

    @property
    def path(self) -> str:
        return reverse(self.route, kwargs=self.kwargs) + self.query


def _step(label: str, interview, selector: str) -> Page:
    """A practice-interview step, showing the question its interview is on (a follow-up's <h1>
    is the follow-up, rendered from Markdown, so `selector` alone tells that stage)."""
    answer = practice.current_answer(interview)
    heading = answer.question.prompt if answer.graded_at is None else ""
    return Page(label, "practice_step", heading, {"interview_id": interview.pk},
                selector=selector)  # fmt: skip


def pages(site) -> dict[str, list[Page]]:
    """Every page to scan, by who opens it; the ids come from the data `site` made."""
    q, report = site["question"], site["report"]
    card, section = {"question_id": q.pk}, q.subsection.section
    own = {"question_id": site["own"].pk}
    # Past every question, own cards included (Question.objects is the bank only).
    missing = {"question_id": Question._base_manager.order_by("-pk").first().pk + 1}
    learner = [
        Page("dashboard", "dashboard", "Today"),
        Page("study", "study", "", selector="[data-testid=counters]"),
        Page("study-section", "study", "", query=f"?scope=section:{section.key}",
             selector=f".scope-label:has-text({json.dumps(section.title)})"),
        Page("study-back", "reveal", q.prompt, card, selector=".answer-buttons"),
        Page("browse", "browse", "All questions"),
        Page("search", "browse", "All questions", query="?q=attention"),
        Page("card", "card", q.prompt, card),
        Page("card-reset", "card_reset", "Reset this card?", card),
        Page("report-no-js", "card_report", "Report a problem", card,
             selector=f"form[action='{reverse('card_report', kwargs=card)}']"),
        Page("statistics", "statistics", "Statistics"),
        Page("settings", "settings", "Settings"),
        Page("reminders", "reminder_settings", "Daily reminder"),
        Page("your-data", "your_data", "Your data"),
        Page("password", "account_change_password", "Change Password"),
        Page("email", "account_email", "Email Address"),
        Page("reauthenticate", "account_reauthenticate", "Confirm Access"),
        Page("connections", "socialaccount_connections", "Account Connections"),
        Page("practice", "practice", "Practice interview"),
        _step("practice-question", site["asking"], "label[for=id_typed_answer]"),
        _step("practice-feedback", site["revealed"], "#coach-heading"),
        _step("practice-follow-up", site["following"],
              "p.muted:has-text('The interviewer follows up')"),
        Page("practice-follow-up-answer", "practice_follow_up_result", "",
             {"interview_id": site["finished"].pk, "position": 0},
             selector="[data-testid=follow-up-model-answer]"),
        Page("practice-report", "practice_report", "Interview report",
             {"interview_id": site["finished"].pk}, selector="#summary-heading"),
        _step("practice-replay", site["replay"], "label[for=id_typed_answer]"),
        Page("my-questions", "own_cards", "My questions", selector="[data-testid=own-cards]"),
        Page("own-card-new", "own_card_new", "Write a question"),
        Page("own-card-edit", "own_card_edit", "Edit your question", own),
        Page("own-card-delete", "own_card_delete", "Delete this question?", own),
        Page("own-card", "card", "My own question?", own),
        Page("browse-tag", "browse", "", query="?tag=system-design",
             selector="a[href*='scope=tag:system-design']"),
        Page("note", "card_note", q.prompt, card, selector="textarea[name=text]"),
        Page("search-no-results", "browse", "", query="?q=zzzqqq",
             selector="[data-testid=no-results], .empty-state"),
        Page("study-search", "study", "", query="?scope=search:attention",
             selector=".scope-label"),
        Page("import", "card_import", "Import questions", selector="input[type=file]"),
        Page("404-missing-card", "card", "Not found", missing, status=404),
        Page("400-bad-search", "browse", "That request could not be accepted",
             query="?state=nonsense", status=400),
        Page("403-csrf", "theme", "Please try again", status=403, post=True),
    ]  # fmt: skip
    editor = [Page("admin", "admin:index", "Site administration")]
    for model, obj in (("section", section), ("subsection", q.subsection), ("question", q),
                       ("report", report)):  # fmt: skip
        # The change page's <h2> names the object.
        subtitle = json.dumps(str(obj)[:40], ensure_ascii=False)
        editor.append(Page(f"{model}-list", f"admin:flashcards_{model}_changelist",
                           f"Select {model} to change"))  # fmt: skip
        editor.append(Page(f"{model}-change", f"admin:flashcards_{model}_change",
                           f"Change {model}", {"object_id": obj.pk},
                           selector=f"#content h2:has-text({subtitle})"))  # fmt: skip
        if model != "report":
            editor.append(Page(f"{model}-add", f"admin:flashcards_{model}_add", f"Add {model}"))
    editor.append(Page("403-learner-data", "admin:flashcards_card_changelist",
                       "You can't do that here", status=403))  # fmt: skip
    visitor = [
        Page("front", "dashboard", "Get ready for your Generative-AI interview"),
        Page("front-rated", "dashboard", "Get ready for your Generative-AI interview",
             query="?rating=3", selector="details.sample-answer[open]"),
        Page("login", "login", "Log in"),
        Page("signup", "signup", "Create your account"),
        Page("password-reset", "account_reset_password", "Password Reset"),
        Page("password-reset-sent", "account_reset_password_done", "Password Reset"),
        Page("bad-reset-link", "account_reset_password_from_key", "Bad Token",
             {"uidb36": "x", "key": "x"}),
        Page("password-changed", "account_reset_password_from_key_done", "Password changed"),
        Page("bad-confirm-link", "account_confirm_email", "Confirm Email Address",
             {"key": "x"}, selector="main :text('expired or is invalid')"),
        Page("verification-sent", "account_email_verification_sent", "Verify Your Email"),
        Page("inactive", "account_inactive", "Account Inactive"),
        Page("social-cancelled", "socialaccount_login_cancelled", "Login Cancelled"),
        Page("social-error", "socialaccount_login_error", "Third-Party Login Failure",
             status=401),
        Page("unsubscribe", "reminder_unsubscribe", "Stop daily reminders?", {"token": "x"}),
        Page("unsubscribe-bad-link", "reminder_unsubscribe", "This link does not work",
             {"token": "x"}, status=400, post=True),
        Page("offline", "offline", "You are offline"),
    ]  # fmt: skip
    return {"learner": learner, "editor": editor, "visitor": visitor}


# The server's own error pages, which the live server cannot be made to answer (it would have to
# lose its database or crash): served from their templates, as `genai_prep.errors` serves them.
RENDERED = [("503", "503.html", 503, "Back in a moment"),
            ("500", "500.html", 500, "Something went wrong on our side")]  # fmt: skip


class Skip(NamedTuple):
    """A route that is not scanned, why, and what it answers a GET with (which proves why)."""

    reason: str
    user: str
    status: int


POST_ONLY = "only accepts POST: nothing to show"
NOT_HTML = "answers with a download, JSON, a script or a redirect to an icon, not an HTML page"
MID_FLOW = "a step allauth reaches only mid-flow (codes are off, the learner has a password)"
NOT_SCANNED = {
    **{route: Skip(POST_ONLY, "learner", 405) for route in (
        "undo", "drill", "answer", "card_action", "learn_more", "card_suspend", "card_known",
        "delete_account", "practice_start", "practice_replay", "practice_reveal", "practice_grade",
        "practice_follow_up", "apply_plan", "logout", "tag_add", "tag_remove",
        "card_import_confirm")},
    **{route: Skip(NOT_HTML, "learner", status) for route, status in (
        ("export_csv", 200), ("export_json", 200), ("export_anki", 200), ("manifest", 200),
        ("service_worker", 200), ("healthz", 200), ("favicon", 301))},
    # The LLM coach's polled fragment lives inside the practice page (the LLM coach is not
    # configured here, so no answer has one: not found).
    "practice_llm_feedback": Skip("a fragment polled into the practice page", "learner", 404),
    "whoami": Skip("the benchmark's one-line floor, not a page anyone opens", "learner", 200),
    **{route: Skip(MID_FLOW, "learner", 302) for route in (
        "account_request_reauthentication_code", "account_confirm_reauthentication_code",
        "account_set_password", "account_confirm_login_code", "socialaccount_signup")},
    # Nobody adds a report in the admin (learners send them): refused like learner data below.
    "admin:flashcards_report_add": Skip("no one may add a report here", "editor", 403),
    # Learner data is closed to editors; its 403 page is scanned once (card changelist).
    **{f"admin:flashcards_{model}_{view}": Skip("learner data: the 403 page", "editor", 403)
       for model in ("card", "review", "studysettings") for view in ("add", "change", "changelist")
       if (model, view) != ("card", "changelist")},
}  # fmt: skip


def _named_routes(resolver=None, namespace: str = "", params: frozenset = frozenset()):
    """Yield (name, parameter names) for every named route in the URL conf."""
    for entry in (resolver or get_resolver()).url_patterns:
        names = params | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _named_routes(entry, inner, frozenset(names))
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), names


def _routes() -> dict[str, frozenset]:
    """The routes a person can open: the site's, allauth's, the admin's index and its add, change
    and list pages for the app's models. A name whose path an earlier route serves is left out
    (allauth's login, sign-up and log-out live on behind the site's own routes)."""
    routes = {}
    for name, params in _named_routes():
        if name.startswith("admin:"):
            model_page = name.startswith("admin:flashcards_") and name.endswith(
                ("_add", "_change", "_changelist")
            )
            if name != "admin:index" and not model_page:
                continue
        elif not params and resolve(reverse(name)).view_name != name:
            continue
        routes[name] = params
    return routes


def unlisted_routes(site) -> list[str]:
    """Routes neither scanned nor excluded: a new page must join one list or the other."""
    scanned = {p.route for group in pages(site).values() for p in group}
    return sorted(set(_routes()) - scanned - set(NOT_SCANNED))


def _assert_every_route_listed(site) -> None:
    unlisted = unlisted_routes(site)
    assert unlisted == [], f"add to pages() or to NOT_SCANNED with its reason: {unlisted}"


def _sample_path(route: str, params: frozenset, site) -> str:
    """The route's URL with its parameters filled from the site's data."""
    values = {"question_id": site["question"].pk, "interview_id": site["asking"].pk,
              "position": 0, "token": "x", "key": "x", "uidb36": "x", "part": "answer"}  # fmt: skip
    if "object_id" in params:
        model = route.removeprefix("admin:flashcards_").rsplit("_", 1)[0]
        values["object_id"] = apps.get_model("flashcards", model).objects.first().pk
    return reverse(route, kwargs={name: values[name] for name in params})


def test_every_route_is_scanned_or_excluded_for_the_reason_it_gives(site):
    _assert_every_route_listed(site)
    routes = _routes()
    assert set(NOT_SCANNED) <= set(routes), "NOT_SCANNED names a route the URL conf lacks"
    clients = {"learner": Client(), "editor": Client()}
    for name, client in clients.items():
        client.force_login(site[name])
    wrong = []
    for route, skip in NOT_SCANNED.items():
        response = clients[skip.user].get(_sample_path(route, routes[route], site))
        html = b"<html" in response.getvalue().lower()
        if response.status_code != skip.status or (skip.reason == NOT_HTML and html):
            wrong.append(f"{route}: {response.status_code}, not {skip.status} ({skip.reason})")
    assert wrong == [], "NOT_SCANNED reasons that no longer hold:\n" + "\n".join(wrong)


def _serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results
        if v["impact"] in {"serious", "critical"}
    ]


def _context(browser, site, user: str, theme: str, viewport=DESKTOP):
    """A browser for `user` ("visitor" stays signed out), logged in once through the form."""
    context = browser.new_context(base_url=site["url"], bypass_csp=True, color_scheme=theme,
                                  viewport=viewport)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    if user != "visitor":
        page.goto("/accounts/login/")
        page.fill("#id_login", user)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def _serve(html: str, status: int):
    """A Playwright route handler answering with `html` and `status`."""
    return lambda route: route.fulfill(status=status, body=html, content_type="text/html")


def _open(page, target: Page) -> list[str]:
    """Open `target` and return what shows it is not the page intended (nothing when it is)."""
    if target.post:
        with page.expect_navigation() as navigation:
            page.evaluate("""path => { const form = document.createElement('form');
                form.method = 'post'; form.action = path; document.body.append(form);
                form.submit(); }""", target.path)  # fmt: skip
        response = navigation.value
    else:
        response = page.goto(target.path)
    landed = urlsplit(page.url)
    landed = landed.path + (f"?{landed.query}" if landed.query else "")
    problems = []
    if response.status != target.status:
        problems.append(f"answered {response.status}, not {target.status}")
    if landed != target.path:
        problems.append(f"ended at {landed}")
    heading = page.locator("h1").first
    if not heading.count() or target.heading not in heading.inner_text():
        problems.append(f"<h1> is {heading.inner_text() if heading.count() else None!r}, "
                        f"not {target.heading!r}")  # fmt: skip
    if target.selector and not page.locator(target.selector).count():
        problems.append(f"nothing matches {target.selector}")
    return [f"{target.label} ({target.path}): {p}" for p in problems]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violations_on_any_page(browser, site, theme, viewport):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/axe-core is missing: npm ci must run before the tests")
        pytest.skip("axe-core is not installed (npm ci)")
    _assert_every_route_listed(site)
    StudySettings.objects.filter(user__username__in=["learner", "editor"]).update(theme=theme)
    wrong_page, found = [], []
    for user, group in pages(site).items():
        context, page = _context(browser, site, user, theme, viewport)
        if user == "visitor":
            for name, template, status, _ in RENDERED:
                context.route(f"**/rendered/{name}/", _serve(render_to_string(template), status))
        for target in group:
            mismatch = _open(page, target)
            wrong_page += [f"{user} {m}" for m in mismatch]
            if not mismatch:
                found += [f"{user} {target.label}: {v}" for v in _serious_violations(page)]
        if user == "visitor":
            for name, _, status, heading in RENDERED:
                response = page.goto(f"/rendered/{name}/")
                assert response.status == status
                expect(page.locator("h1")).to_have_text(heading)
                found += [f"visitor {name}: {v}" for v in _serious_violations(page)]
        context.close()
    assert wrong_page == [], "not the page intended, so not scanned:\n" + "\n".join(wrong_page)
    assert found == [], "serious accessibility violations:\n" + "\n".join(found)


def test_every_page_fits_a_360px_screen_with_44px_answer_buttons(browser, site):
    context, page = _context(browser, site, "learner", "light", viewport=PHONE)
    overflowing = []
    learner = pages(site)["learner"]
    for target in learner:
        assert _open(page, target) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            overflowing.append(f"{target.label}: page is {width}px wide")
        # Elements that stick out of the screen (those inside their own scroll box excepted).
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= 361) return false;
            for (let p = el.parentElement; p; p = p.parentElement) {
              if (getComputedStyle(p).overflowX === 'auto') return false;
            }
            return true;
        }).map(el => el.tagName + '.' + el.className).slice(0, 3)""")
        if wide:
            overflowing.append(f"{target.label}: {wide}")
    assert overflowing == []
    assert _open(page, next(p for p in learner if p.label == "study-back")) == []
    heights = page.eval_on_selector_all("button.answer-button", "bs => bs.map(b => b.offsetHeight)")
    assert len(heights) == 4 and min(heights) >= 44
    # Within thumb reach: the buttons sit in the lower part of the screen.
    box = page.locator("form.answer-buttons").bounding_box()
    assert box["y"] + box["height"] <= 740 and box["y"] > 740 / 3
    context.close()


def _tab_to(page, text: str, limit: int = 80, key: str = "Tab") -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate("document.activeElement && document.activeElement.innerText || ''")
        if focused.strip().startswith(text):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{text} has no visible focus"
            return
    raise AssertionError(f"could not reach {text!r} with Tab")


def test_keyboard_only_sign_up_study_statistics_settings_and_log_out(browser, site):
    context = browser.new_context(base_url=site["url"])
    page = context.new_page()
    page.goto("/accounts/signup/")
    page.focus("#id_email")
    page.keyboard.type("keyboarder@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboarder")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/study/")  # a new learner starts on their first card
    page.wait_for_load_state("load")
    for done in (1, 2):
        page.keyboard.press("Space")
        expect(page.locator(".card-back")).to_be_visible()
        page.keyboard.press("4")
        expect(page.get_by_test_id("left-new").locator("strong")).to_have_text(str(10 - done))
    _tab_to(page, "Statistics", key="Shift+Tab")  # back up from the card to the navigation
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()
    _tab_to(page, "Settings")
    page.keyboard.press("Enter")
    page.focus("#id_new_per_day")
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert StudySettings.objects.get(user__username="keyboarder").new_per_day == 15
    _tab_to(page, "Log out")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()  # logged out
    context.close()


def test_screenshots_of_the_main_pages(browser, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    readme = os.environ.get("README_SCREENSHOTS")
    q = site["question"]
    for theme in ("light", "dark"):
        for width, height in ((390, 844), (1280, 800)):
            context, page = _context(browser, site, "learner", theme,
                                     viewport={"width": width, "height": height})  # fmt: skip
            for name, url in (("dashboard", "/"), ("study-front", f"/study/?scope=subsection:"
                              f"{q.subsection.key}"), ("study-back", f"/study/{q.pk}/reveal/"),
                              ("statistics", "/stats/"), ("practice", "/practice/")):  # fmt: skip
                page.goto(url)
                path = SHOTS / f"{name}-{width}x{height}-{theme}.png"
                page.screenshot(path=str(path), full_page=width > 400)
                assert path.stat().st_size > 5_000
                if readme and (theme, width) == ("light", 1280) and name in README_SHOTS:
                    target = ROOT / "docs" / "screenshots" / f"{name}.png"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(target))
            context.close()
