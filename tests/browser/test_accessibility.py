"""Accessibility (axe-core, both themes), layout on small screens, keyboard-only use, and
screenshots of the main pages."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from flashcards import practice
from flashcards.models import Question, Report, StudySettings
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.conftest import PASSWORD, make_history, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = {"dashboard", "study-front", "study-back"}


@pytest.fixture
def site(browser, live_server, settings):
    """A seeded site with a learner who has history, an interview at each stage and an editor."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    now = timezone.now()
    learner = make_user("learner", interview_date=(now + timedelta(days=20)).date())
    questions = list(Question.objects.order_by("rank"))
    make_history(learner, questions[:12], 3, now - timedelta(days=30))
    Report.objects.create(user=learner, question=questions[0], version=1, kind="unclear")
    interview = practice.interview_start(
        user=learner, length=5, focus=practice.Focus("bank", "Whole bank"), now=now, seed=7
    )
    first = practice.current_answer(interview)
    practice.answer_reveal(answer=first, typed="An answer", now=now)
    editor = make_user("editor")
    editor.is_staff = True
    editor.save()
    editor.groups.add(Group.objects.get(name="editor"))
    return {"url": live_server.url, "learner": learner, "interview": interview,
            "question": questions[0]}  # fmt: skip


def _context(browser, site, user: str, theme: str, **options):
    context = browser.new_context(base_url=site["url"], bypass_csp=True, color_scheme=theme,
                                  **options)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.fill("#id_login", user)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def learner_pages(site) -> dict[str, str]:
    q, interview = site["question"], site["interview"]
    return {
        "dashboard": "/", "study": "/study/", "study-back": f"/study/{q.pk}/reveal/",
        "browse": "/browse/", "search": "/browse/?q=attention", "card": f"/cards/{q.pk}/",
        "reset": f"/cards/{q.pk}/reset/", "statistics": "/stats/", "settings": "/settings/",
        "your-data": "/account/data/", "password": "/accounts/password/change/",
        "email": "/accounts/email/", "reauthenticate": "/accounts/reauthenticate/",
        "reminders": "/settings/reminders/",
        "practice": "/practice/", "practice-question": f"/practice/{interview.pk}/",
        "practice-report": f"/practice/{interview.pk}/report/", "drill": "/study/?scope=section:"
        "introduction-to-generative-ai", "note": f"/cards/{q.pk}/note/",
        "no-results": "/browse/?q=zzzqqq", "study-search": "/study/?scope=search:attention",
    }  # fmt: skip


EDITOR_PAGES = {
    "admin": "/admin/",
    "questions": "/admin/flashcards/question/",
    "question": "/admin/flashcards/question/1/change/",
    "sections": "/admin/flashcards/section/1/change/",
    "subsection": "/admin/flashcards/subsection/1/change/",
    "reports": "/admin/flashcards/report/",
}


def _serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violations_on_any_page(browser, site, theme):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/axe-core is missing: npm ci must run before the tests")
        pytest.skip("axe-core is not installed (npm ci)")
    StudySettings.objects.filter(user__username__in=["learner", "editor"]).update(theme=theme)
    found = []
    for user, pages in (("learner", learner_pages(site)), ("editor", EDITOR_PAGES)):
        context, page = _context(browser, site, user, theme)
        for name, url in pages.items():
            page.goto(url)
            found += [f"{user} {name}: {v}" for v in _serious_violations(page)]
        context.close()
    for name, url in (("front", "/"), ("front-rated", "/?rating=3"),
                      ("login", "/accounts/login/"), ("signup", "/accounts/signup/"),
                      ("password-reset", "/accounts/password/reset/"),
                      ("password-reset-sent", "/accounts/password/reset/done/"),
                      ("bad-reset-link", "/accounts/password/reset/key/x-x/"),
                      ("bad-confirm-link", "/accounts/confirm-email/x/"),
                      ("unsubscribe", "/reminders/unsubscribe/x/"),
                      ("offline", "/offline/")):  # fmt: skip
        context = browser.new_context(base_url=site["url"], bypass_csp=True, color_scheme=theme)
        page = context.new_page()
        page.goto(url)
        found += [f"visitor {name}: {v}" for v in _serious_violations(page)]
        context.close()
    assert found == []


def test_every_page_fits_a_360px_screen_with_44px_answer_buttons(browser, site):
    phone = {"width": 360, "height": 740}
    context, page = _context(browser, site, "learner", "light", viewport=phone)
    overflowing = []
    for name, url in learner_pages(site).items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            overflowing.append(f"{name}: page is {width}px wide")
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
            overflowing.append(f"{name}: {wide}")
    assert overflowing == []
    page.goto(learner_pages(site)["study-back"])
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
