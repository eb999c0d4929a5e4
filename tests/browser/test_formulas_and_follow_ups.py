"""Formulas drawn as MathML, the follow-up answer behind its control, and the admin's live preview,
in a real browser (with and without JavaScript), under the strict CSP."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from flashcards.models import Question
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATTENTION = "how-does-self-attention-work-and-how-do-positional-encodings"


def _csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.mark.parametrize("javascript", [True, False])
def test_the_card_draws_formulas_and_opens_the_follow_up_answer(browser, live_server, javascript):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    make_user("reader")
    question = Question.objects.get(key=ATTENTION)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    violations = _csp_violations(page)
    page.goto("/accounts/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"/cards/{question.pk}/")

    formula = page.locator(".model-answer math").first
    expect(formula).to_be_visible()
    assert formula.get_attribute("alttext")  # the LaTeX source stays as alternative text
    box = formula.bounding_box()
    assert box and box["height"] > 8 and box["width"] > 8  # laid out as mathematics, not hidden

    details = page.locator("details.follow-up-answer")
    answer_text = question.follow_up_answer.split()[0]
    expect(details.locator(".prose")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator(".prose")).to_be_visible()
    expect(details.locator(".prose")).to_contain_text(answer_text)
    assert violations == []
    context.close()


def test_the_admin_preview_follows_what_is_typed(page):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    User.objects.create_user("chief", password=PASSWORD, is_staff=True, is_superuser=True)
    question = Question.objects.get(key=ATTENTION)
    violations = _csp_violations(page)
    page.goto("/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"/admin/flashcards/question/{question.pk}/change/")
    page.wait_for_load_state("load")

    page.fill("#id_answer", "Typed just now: $e^{i\\pi} + 1 = 0$ and **bold**.")
    preview = page.locator("#card-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator('math[alttext="e^{i\\pi} + 1 = 0"]')).to_be_attached()
    page.fill("#id_key_points", "First line\nSecond with $x_1$")
    expect(preview.locator(".key-points li")).to_have_count(2)
    page.fill("#id_follow_up_answer", "Broken $\\frac{1$ here")
    expect(preview.locator(".errorlist")).to_contain_text("unbalanced braces")
    question.refresh_from_db()
    assert "Typed just now" not in question.answer  # previewing saves nothing
    assert violations == []
