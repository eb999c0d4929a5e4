"""The study screen a power user expects, in Chromium: buttons in view, the header, tap targets,
keys for card actions, the `?` overlay, counters, no back-to-back repeat, in-place errors, the
front page."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models.functions import Length
from django.utils import timezone
from playwright.sync_api import expect

from flashcards import reviews
from flashcards.models import Card, Question, Review, StudySettings
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser, live_server, settings):
    """A signed-in page in a fresh browser context with the given viewport and options."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    contexts = []

    def open_page(username="learner", **options):
        if not StudySettings.objects.filter(user__username=username).exists():
            make_user(username)
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, username)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _study(page, url="/study/"):
    page.goto(url)
    page.wait_for_load_state("load")


def _left(page) -> tuple[int, int, int]:
    return tuple(
        int(page.get_by_test_id(f"left-{kind}").locator("strong").inner_text())
        for kind in ("new", "learning", "review")
    )


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768)])
def test_the_answer_buttons_are_in_view_for_the_longest_answer(open_page, size):
    width, height = size
    longest = Question.objects.annotate(n=Length("answer")).order_by("-n").first()
    page = open_page(viewport={"width": width, "height": height})
    for reveal in ("page", "key"):
        if reveal == "page":
            page.goto(f"/study/{longest.pk}/reveal/")
        else:  # the same card revealed in place from the front
            # Bury the rest of its subsection through the domain (burying by key has its own
            # test below), so the longest answer is the one card of the scoped session.
            Card.objects.all().delete()
            learner = get_user_model().objects.get()  # the one learner open_page signed in
            settings = StudySettings.objects.get(user=learner)
            for other in Question.objects.filter(subsection=longest.subsection).exclude(
                pk=longest.pk
            ):
                reviews.card_bury(
                    user=learner, question=other, now=timezone.now(), settings=settings
                )
            _study(page, f"/study/?scope=subsection:{longest.subsection.key}")
            expect(page.locator("#card-question")).to_have_text(longest.prompt)
            page.keyboard.press("Space")
        expect(page.locator(".card-back")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollHeight") > height, "a long answer"
        for button in page.locator("button.answer-button").all():
            box = button.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (reveal, box)


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_header_is_one_line_on_wide_screens(open_page, width):
    page = open_page(viewport={"width": width, "height": 800})
    page.goto("/")
    items = page.locator(".nav-wide > a, .nav-wide button, .brand")
    tops = {round(box["y"]) for box in (item.bounding_box() for item in items.all())}
    assert len(items.all()) >= 9 and max(tops) - min(tops) <= 4, tops
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    expect(page.get_by_test_id("menu-button")).to_be_hidden()


def test_a_phone_has_a_compact_header_with_a_menu_and_44px_targets(open_page):
    page = open_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    _study(page)
    assert page.locator(".site-header").bounding_box()["height"] <= 56
    page.tap("[data-reveal]")
    expect(page.locator(".card-back")).to_be_visible()
    page.tap("button.answer-button[data-rating='4']")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    # Keyboard hints are hidden on a touch-only device.
    expect(page.locator(".shortcuts")).to_be_hidden()
    expect(page.locator(".study-panel kbd").first).to_be_hidden()
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.site-header summary, .study-panel button, .study-panel a.button, .study-panel summary')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.innerText.trim(), el.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44)
        .map(([text, r]) => `${text}: ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert small == []
    # The menu holds the destinations.
    page.get_by_test_id("menu-button").tap()
    page.locator(".nav-menu").get_by_role("link", name="Statistics").tap()
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()


def test_question_mark_lists_every_key_and_escape_closes_it(open_page):
    page = open_page()
    _study(page)
    body = page.locator(".shortcuts-body")
    expect(body).to_be_hidden()
    page.keyboard.press("?")
    expect(body).to_be_visible()
    for key in ("Space", "U", "B", "S", "K", "R", "D", "Esc"):
        expect(body.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(body).to_be_hidden()


def test_bury_suspend_and_i_know_this_by_key(open_page):
    page = open_page()
    _study(page)
    user = StudySettings.objects.get(user__username="learner").user
    for key, said in (("b", "Buried"), ("s", "Suspended"), ("k", "Marked")):
        prompt = page.locator("#card-question").inner_text()
        page.keyboard.press(key)
        expect(page.get_by_test_id("notice")).to_contain_text(f"{said} \u201c{prompt}\u201d")
        expect(page.locator("#card-question")).not_to_have_text(prompt)
        card = Card.objects.get(user=user, question__prompt=prompt)
        assert {"b": card.buried_until is not None, "s": card.suspended, "k": card.reps == 1}[key]
    # D opens the card's page, which leads back to the session.
    page.keyboard.press("d")
    page.get_by_test_id("back-to-session").click()
    page.wait_for_url("**/study/")


def test_counters_never_increase_and_a_missed_card_does_not_come_straight_back(open_page):
    page = open_page()
    StudySettings.objects.filter(user__username="learner").update(new_per_day=3)
    _study(page)
    seen = [_left(page)]
    assert seen[0] == (3, 0, 0)
    missed = page.locator("#card-question").inner_text()
    page.keyboard.press("Space")
    expect(page.locator(".card-back")).to_be_visible()
    page.keyboard.press("1")  # didn't know
    expect(page.locator("#card-question")).not_to_have_text(missed)
    for rating in ("1", "3", "4", "1", "4", "3"):
        seen.append(_left(page))
        before = page.locator("#card-question").inner_text()
        page.keyboard.press("Space")
        expect(page.locator(".card-back")).to_be_visible()
        page.keyboard.press(rating)
        expect(page.locator(".card-back")).to_have_count(0)
        if rating == "1" and page.locator("#card-question").count():
            # Either another card, or the same one said to be a repeat.
            now_showing = page.locator("#card-question").inner_text()
            if now_showing == before:
                expect(page.get_by_test_id("again-note")).to_have_text(
                    "Again: you missed this a moment ago."
                )
    seen.append(_left(page))
    for before, after in zip(seen, seen[1:], strict=False):
        assert all(a <= b for a, b in zip(after, before, strict=True)), seen


def test_a_card_suspended_in_another_tab_shows_a_404_in_place(open_page):
    page = open_page()
    _study(page)
    prompt = page.locator("#card-question").inner_text()
    user = StudySettings.objects.get(user__username="learner").user
    reviews.card_suspend(user=user, question=Question.objects.get(prompt=prompt), suspended=True)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("htmx-error")).to_contain_text("suspended")
    expect(page.locator("#card-question")).to_have_text(prompt)  # the card stays
    expect(page.locator(".site-header")).to_be_visible()


def test_the_theme_button_says_what_a_click_does(open_page):
    page = open_page()
    page.goto("/")
    button = page.locator(".nav-wide").get_by_test_id("theme-toggle")
    expect(button).to_have_text("Use dark theme")
    button.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(button).to_have_text("Use light theme")


def test_a_visitor_flips_and_rates_the_sample_card_then_signs_up(page, live_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    page.goto("/")
    sample = page.get_by_test_id("sample-card")
    expect(sample).to_contain_text("What is Generative AI?")
    sample.get_by_text("Show the answer").click()
    sample.get_by_role("button", name="Knew it · medium confidence").click()
    expect(page.get_by_test_id("sample-result")).to_contain_text("would come back in")
    assert not Card.objects.exists()
    page.get_by_role("link", name="Sign up free").click()
    page.wait_for_url("**/accounts/signup/")


def test_burying_card_after_card_by_key_swaps_in_place(open_page):
    # Keys pressed the moment a card swaps in once reached the new form before htmx had
    # processed it, so the button submitted natively and the whole page navigated.
    page = open_page()
    subsection = Question.objects.order_by("rank").first().subsection
    _study(page, f"/study/?scope=subsection:{subsection.key}")
    page.evaluate("window.sameDocument = true")
    prompts = set()
    for _ in range(Question.objects.filter(subsection=subsection).count()):
        if not page.locator("#card-question").count():
            break
        prompt = page.locator("#card-question").inner_text()
        prompts.add(prompt)
        page.keyboard.press("b")
        expect(page.get_by_test_id("notice")).to_contain_text(f"Buried \u201c{prompt}\u201d")
    assert page.evaluate("window.sameDocument === true"), "a key press navigated the page"
    assert len(prompts) == Question.objects.filter(subsection=subsection).count()


def test_typing_an_answer_before_revealing_gets_the_coachs_reading(open_page):
    from flashcards import coach

    page = open_page()
    StudySettings.objects.filter(user__username="learner").update(type_before_reveal=True)
    _study(page)
    question = Question.objects.get(prompt=page.locator("#card-question").inner_text())
    typed = f"It mostly comes down to {question.key_point_cues[0][0]} in practice."
    suggestion = coach.coach_question(question, typed).rating
    page.get_by_label("Type your answer, then show the model answer").fill(typed)
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator(".coach-feedback")).to_be_visible()
    expect(page.locator(".coach-covered")).not_to_have_count(0)
    suggested = page.locator("button.answer-suggested")
    expect(suggested).to_have_attribute("data-rating", str(suggestion))
    override = "4" if suggestion != 4 else "1"
    page.keyboard.press(override)  # the learner's press is the answer
    expect(page.locator(".coach-feedback")).to_have_count(0)
    review = Review.objects.get(question=question)
    assert (review.rating, review.suggested_rating) == (int(override), suggestion)
